#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A private PostgreSQL 15 for one test: initdb in a temporary folder, a Unix socket in that
# folder only (no port, no system service), stopped and removed afterwards.
#
#   pg-fixture.sh run [--tap] COMMAND [ARG…]
#       start a server, create the database `agent_guard`, apply the schema (app/pg/schema),
#       run COMMAND with PGHOST, PGDATABASE and PGUSER (the cluster's superuser) set, then
#       stop the server and remove the folder whatever happened (also on SIGINT/SIGTERM).
#       Exits with COMMAND's status; without PostgreSQL 15, a skip (77, or TAP's with --tap).
#   pg-fixture.sh apply            apply the schema files to $PGDATABASE (see apply_schema)
#   pg-fixture.sh server crash|start   (in COMMAND) stop the server at once, start it again
#
# PostgreSQL refuses to run as root. Run as root (as CI does), the server runs as the
# unprivileged system account agtest-pg, made on first use; clients connect as root,
# which may enter the socket folder (mode 0700, agtest-pg's). Authentication is `trust` on
# that socket: only its owner and root can reach it, and the tests log in as the roles they
# test (`psql -U alice`) without a Unix account each. Production uses peer authentication.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_root=${AG_SOURCE_ROOT:-$(cd "$here/../.." && pwd)}
schema_dir=${AG_PG_SCHEMA_DIR:-$source_root/app/pg/schema}
pg_bin=${AG_PG_BIN:-/usr/lib/postgresql/15/bin}
account=agtest-pg

die () {
  echo "pg-fixture: $*" >&2
  exit 1
}

# Runs a server program (initdb, pg_ctl) as the account that owns the cluster.
as_owner () {
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid="$account" --regid="$account" --init-groups -- "$@"
  else
    "$@"
  fi
}

ensure_account () {
  [ "$(id -u)" -eq 0 ] || return 0
  local attempt
  # Two fixtures starting at once may race for /etc/passwd's lock: try again.
  for attempt in 1 2 3 4 5; do
    id -u "$account" >/dev/null 2>&1 && return 0
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$account" 2>/dev/null && return 0
    sleep "0.$attempt"
  done
  id -u "$account" >/dev/null 2>&1 || die "could not create the account $account"
}

# Applies every schema file newer than the database's version, in order, each in one
# transaction. Refuses a database newer than these files (no downgrades).
apply_schema () {
  local current latest file version
  current=0
  if [ "$(psql -XAtq -v ON_ERROR_STOP=1 -c \
    "SELECT to_regclass('agent_guard.schema_version') IS NOT NULL")" = t ]; then
    current=$(psql -XAtq -v ON_ERROR_STOP=1 -c \
      'SELECT coalesce(max(version), 0) FROM agent_guard.schema_version')
  fi
  latest=0
  for file in "$schema_dir"/[0-9][0-9][0-9]-*.sql; do
    version=$((10#$(basename "$file" | cut -c1-3)))
    [ "$version" -gt "$latest" ] && latest=$version
  done
  if [ "$current" -gt "$latest" ]; then
    echo "pg-fixture: the database's schema is version $current, newer than these files" \
      "($latest): refusing to downgrade" >&2
    return 1
  fi
  for file in "$schema_dir"/[0-9][0-9][0-9]-*.sql; do
    version=$((10#$(basename "$file" | cut -c1-3)))
    [ "$version" -gt "$current" ] || continue
    psql -Xq -v ON_ERROR_STOP=1 --single-transaction -f "$file" >/dev/null
  done
}

dir=
server_started=false

# The socket in the test's folder only, no port. fsync off: the tests crash the server
# (an immediate stop), never the machine, and the kernel keeps what was written.
server_options () {
  echo "-k $1 -c listen_addresses='' -c fsync=off -c max_connections=80"
}

cleanup () {
  local rc=$?
  trap - EXIT INT TERM
  if $server_started; then
    as_owner "$pg_bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ -n "$dir" ]; then
    rm -rf "$dir"
  fi
  exit "$rc"
}

run () {
  local t0 t1 rc tap=false
  if [ "${1:-}" = --tap ]; then
    tap=true
    shift
  fi
  [ $# -gt 0 ] || die "run needs a command"
  if [ ! -x "$pg_bin/initdb" ]; then
    # A skip, said as the test's protocol says it (TAP or exit code 77).
    echo "pg-fixture: $pg_bin/initdb not found: install postgresql-15" >&2
    if $tap; then
      echo "1..0 # SKIP postgresql-15 is not installed"
      exit 0
    fi
    exit 77
  fi
  ensure_account
  trap cleanup EXIT
  trap 'exit 143' TERM
  trap 'exit 130' INT
  dir=$(mktemp -d /tmp/agtest-pg.XXXXXX)
  chmod 0700 "$dir"
  [ "$(id -u)" -eq 0 ] && chown "$account:$account" "$dir"

  t0=$(date +%s%N)
  as_owner "$pg_bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    --no-sync --no-instructions >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  server_started=true
  as_owner "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -s \
    -o "$(server_options "$dir")" start \
    || { cat "$dir/server.log" >&2; die "the server did not start"; }
  t1=$(date +%s%N)
  echo "# pg-fixture: initdb and start took $(((t1 - t0) / 1000000)) ms"

  export PGHOST="$dir" PGUSER=postgres PGDATABASE=agent_guard PGAPPNAME=agtest
  export AG_PG_FIXTURE_DIR="$dir"
  psql -XAtq -d postgres -c 'CREATE DATABASE agent_guard' >/dev/null
  apply_schema
  echo "# pg-fixture: schema applied in $((($(date +%s%N) - t1) / 1000000)) ms"

  rc=0
  "$@" || rc=$?
  return "$rc"
}

# For a test under `run`: stops the server at once (as a crash would) or starts it again.
server () {
  [ -n "${AG_PG_FIXTURE_DIR:-}" ] || die "server: only under pg-fixture.sh run"
  dir=$AG_PG_FIXTURE_DIR
  case "${1:-}" in
    crash)
      as_owner "$pg_bin/pg_ctl" -D "$dir/data" -m immediate -w -s stop
      ;;
    start)
      as_owner "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -s \
        -o "$(server_options "$dir")" start
      ;;
    *) die "server crash|start" ;;
  esac
}

case "${1:-}" in
  server)
    shift
    server "$@"
    ;;
  run)
    shift
    run "$@"
    ;;
  apply)
    apply_schema
    ;;
  *)
    sed -n '4,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac

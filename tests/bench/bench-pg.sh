#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The PostgreSQL mode's reveals beside pgbench (issue 14), on one private server that
# tests/pg/pg-fixture.sh starts (Unix socket only; fsync=off for both, as in the tests), in
# one run:
#   1. bench-pg-reveal: CLIENTS agents (roles bench001…, each its own connection) reveal
#      through AgPgStore for SECONDS; each reveal commits its ledger row first.
#   2. pgbench -N (the simple-update script) with the same client count for SECONDS on a
#      pgbench database of scale 10 in the same server.
# Goal: reveals/s ≥ 0.5× pgbench's tps, and reveal p99 ≤ 20 ms.
#
#   bench-pg.sh BENCH-PG-REVEAL [CLIENTS [SECONDS [CUSTOMERS]]]   (defaults 64, 10, 1000)
# Run by `meson test -C _build --benchmark bench-pg`; run on its own, it starts the server.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fixture=$here/../pg/pg-fixture.sh
pg_bin=${AG_PG_BIN:-/usr/lib/postgresql/15/bin}

if [ -z "${AG_PG_FIXTURE_DIR:-}" ]; then
  exec "$fixture" run "$0" "$@"
fi

bench=${1:?the bench-pg-reveal program}
clients=${2:-64}
seconds=${3:-10}
customers=${4:-1000}

# The agents, their supervisor and their synthetic customers (made up here, never real).
{
  echo "CREATE ROLE bench_supervisor LOGIN IN ROLE agent_guard_supervisor;"
  for i in $(seq "$clients"); do
    printf 'CREATE ROLE bench%03d LOGIN IN ROLE agent_guard_agent;\n' "$i"
  done
  cat <<EOF
SELECT agent_guard.put_customer(
  format('b-%s', lpad(i::text, 6, '0')), format('Cliente Sintetico %s', i),
  jsonb_build_object(
    'cpf', jsonb_build_object('value', lpad((100000000 + i)::text, 11, '0'),
                              'masked', '***.***.***-**'),
    'phone', jsonb_build_object('value', format('+55119%s', lpad(i::text, 8, '0')),
                                'masked', '(11) *****-****'),
    'email', jsonb_build_object('value', format('cliente%s@example.com', i),
                                'masked', 'c***@example.com')))
FROM generate_series(1, $customers) AS i;
EOF
} | psql -XAtq -v ON_ERROR_STOP=1 >/dev/null
# The highest quota the admin bounds allow: the benchmark measures reveals, not denials.
psql -XAtq -v ON_ERROR_STOP=1 -U bench_supervisor \
  -c "SELECT agent_guard.set_policy('{\"max-reveals-per-hour\": 1000}')" >/dev/null

echo "# one server: $(psql -XAtq -c 'SHOW server_version'), fsync $(psql -XAtq -c 'SHOW fsync'), $(nproc) cores"
"$bench" "$clients" "$seconds" "$customers"

psql -XAtq -d postgres -c 'CREATE DATABASE pgbench' >/dev/null
"$pg_bin/pgbench" -q -i -s 10 pgbench >/dev/null 2>&1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && "$pg_bin/pgbench" -n -N -c "$clients" -j "$(nproc)" -T "$seconds" -l \
  --log-prefix=tx pgbench >"$work/out" 2>&1) || { cat "$work/out" >&2; exit 1; }
tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/out")
# Each log line: client, transaction, latency in µs, …
cat "$work"/tx.* | awk '{ print $3 }' | sort -n >"$work/latencies"
n=$(wc -l <"$work/latencies")
p50=$(sed -n "$(((n * 50 + 99) / 100))p" "$work/latencies")
p99=$(sed -n "$(((n * 99 + 99) / 100))p" "$work/latencies")
printf 'pgbench -N, %d clients, %d s: %.0f tps (%d transactions)\n' "$clients" "$seconds" "$tps" "$n"
awk -v p50="$p50" -v p99="$p99" -v n="$n" \
  'BEGIN { printf "  transaction latency  p50 %.2f ms, p99 %.2f ms (%d samples)\n", p50 / 1000, p99 / 1000, n }'

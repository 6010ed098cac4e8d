#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# agent-guard-admin pg init|grant|revoke against pg-fixture.sh's server ($AG_ADMIN).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/tap.sh"
admin=${AG_ADMIN:?AG_ADMIN names agent-guard-admin}

psql -XAtq -v ON_ERROR_STOP=1 -f "$here/setup.sql" >/dev/null
psql -XAtq -d postgres -c 'CREATE DATABASE fresh' -c 'CREATE DATABASE fresh2'
as () {
  echo "postgresql:///${2:-agent_guard}?host=$PGHOST&user=$1"
}

out=$("$admin" pg init --store "$(as postgres fresh)" 2>&1)
is "$?" 0 "pg init makes the schema in an empty database"
is "$out" "The schema is now version 2." "and says which version"
is "$(psql -XAtq -d fresh -c 'SELECT max(version) FROM agent_guard.schema_version')" 2 \
  "the database holds version 2"
out=$("$admin" pg init --store "$(as postgres fresh)" 2>&1)
is "$?" 0 "pg init again succeeds"
is "$out" "The schema is up to date (version 2)." "and changes nothing"
psql -XAtq -d fresh -c 'INSERT INTO agent_guard.schema_version (version) VALUES (99)'
out=$("$admin" pg init --store "$(as postgres fresh)" 2>&1)
is "$?" 1 "a newer schema is never downgraded"
case "$out" in *"refusing to downgrade"*) tap_result 0 "saying so" ;; *) tap_result 1 "saying so" ;; esac
psql -XAtq -d postgres -c 'CREATE DATABASE old'
psql -Xq -d old -v ON_ERROR_STOP=1 --single-transaction \
  -f "${AG_SOURCE_ROOT:-$here/../..}/app/pg/schema/001-init.sql" >/dev/null
out=$("$admin" pg init --store "$(as postgres old)" 2>&1)
is "$?:$out" "0:The schema is now version 2." "pg init upgrades a version 1 database to 2"
is "$(psql -XAtq -d old -c "SELECT (agent_guard.events())[15] || ' ' || (agent_guard.events())[19]")" \
  "copy training-certified" "whose ledger knows the events copy (15) to training-certified (19)"
"$admin" pg init --store "$(as alice fresh2)" >/dev/null 2>&1
is "$?" 77 "pg init by a role that may not is permission denied (77)"

out=$("$admin" pg grant carol --role agent --store "$(as postgres)" 2>&1)
is "$?" 0 "pg grant makes carol an agent"
is "$out" "carol is now agent." "and says so"
is "$(q carol -c "SELECT status FROM agent_guard.reveal('c-0001', 'cpf', 'identity-check', NULL, 'sc', 'live')")" \
  ok "carol signs in and reveals"
"$admin" pg grant carol --role supervisor --store "$(as postgres)" >/dev/null 2>&1
is "$?" 0 "pg grant gives her another role"
is "$(psql -XAtq -c "SELECT pg_has_role('carol', 'agent_guard_supervisor', 'MEMBER'),
                            pg_has_role('carol', 'agent_guard_agent', 'MEMBER')")" "t|f" \
  "in place of the one she had"
"$admin" pg revoke carol --store "$(as postgres)" >/dev/null 2>&1
is "$?" 0 "pg revoke takes it away"
out=$(q carol -c "SELECT status FROM agent_guard.reveal('c-0001', 'cpf', 'identity-check', NULL, 'sc', 'live')" || true)
case "$out" in *"permission denied"*) tap_result 0 "carol can no longer reveal" ;; *) tap_result 1 "carol can no longer reveal" ;; esac
"$admin" pg grant dave --role agent --store "$(as alice)" >/dev/null 2>&1
is "$?" 77 "an agent cannot grant roles (77)"
"$admin" pg grant dave --role owner --store "$(as postgres)" >/dev/null 2>&1
is "$?" 2 "an unknown role is a usage error"
"$admin" pg grant 'dave;drop' --role agent --store "$(as postgres)" >/dev/null 2>&1
is "$?" 2 "so is a name that is no user name"
"$admin" pg grant agent_guard_owner --role agent --store "$(as postgres)" >/dev/null 2>&1
is "$?" 2 "or one of Agent Guard's own roles"
"$admin" pg grant dave --role agent --store "postgresql://db.example.com/agent_guard" >/dev/null 2>&1
is "$?" 2 "a store over TCP without sslmode=verify-full is refused"
"$admin" pg grant dave --role agent --store "$(as postgres)&password=secret" >/dev/null 2>&1
is "$?" 2 "a password in the URI is refused"
"$admin" pg grant dave --role agent --store "$(as postgres)&passfile=/tmp/pw" >/dev/null 2>&1
is "$?" 2 "so is a password file"
PGPASSWORD=secret "$admin" pg grant dave --role agent --store "$(as postgres)" >/dev/null 2>&1
is "$?" 2 "and PGPASSWORD"
out=$("$admin" pg grant dave --role agent --store "postgresql://db.example.com/agent_guard?sslmode=require" 2>&1)
is "$?" 2 "sslmode=require over TCP is refused too"
is "$out" "agent-guard-admin: pg: a store over TCP needs sslmode=verify-full in its URI" "saying why"

# The store commands against PostgreSQL: alice's search by CPF, ledgered by the database.
out=$("$admin" search 529.982.247-25 --store "$(as alice)" 2>&1)
is "$?" 0 "search --store postgresql:///… works for an agent"
case "$out" in *"c-0001  Maria Aparecida Souza"*"CPF: ***.982.247-**"*) tap_result 0 "showing the mask only" ;;
  *) tap_result 1 "showing the mask only"; echo "# $out" ;; esac
is "$(psql -XAtq -c "SELECT count(*) FROM agent_guard.ledger WHERE agent = 'alice' AND event = 'search'")" 1 \
  "and the database ledgered it as alice's"
out=$("$admin" search souza --store "$(as alice)" 2>&1)
case "$out" in *"c-0001"*) tap_result 0 "a name search finds her by a word" ;; *) tap_result 1 "a name search finds her by a word" ;; esac
"$admin" search Maria --store "$(as mallory)" >/dev/null 2>&1
[ "$?" -ne 0 ]
tap_result $? "a role in no group gets nothing"

done_testing

#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# What a client sees over a real connection, under pg-fixture.sh: COPY and pg_dump as an
# agent, NOTIFY agent_guard_policy on a policy change, and applying the schema again.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/tap.sh"

work=$(mktemp -d)
listener_pid=
cleanup () {
  [ -n "$listener_pid" ] && kill "$listener_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

psql -XAtq -v ON_ERROR_STOP=1 -f "$here/setup.sql" >/dev/null

denied () {
  case "$1" in
    *"permission denied"*) return 0 ;;
    *) echo "# $1" | head -3; return 1 ;;
  esac
}

# COPY, \copy and pg_dump: the sealed column stays out of reach.
out=$(q alice -c 'COPY agent_guard.customer_field TO STDOUT' || true)
denied "$out"; tap_result $? "an agent cannot COPY the customers' fields"
out=$(q alice -c 'COPY agent_guard.customer_field (sealed) TO STDOUT' || true)
denied "$out"; tap_result $? "nor COPY the value column"
out=$(q alice -c 'COPY (SELECT sealed FROM agent_guard.customer_field) TO STDOUT' || true)
denied "$out"; tap_result $? "nor COPY a query of it"
out=$(q alice -c '\copy agent_guard.customer_field (sealed) TO STDOUT' || true)
denied "$out"; tap_result $? "nor \\copy it"
out=$(q alice -c "COPY agent_guard.secret_key TO STDOUT" || true)
denied "$out"; tap_result $? "nor COPY the key"
out=$(pg_dump -U alice -a -t agent_guard.customer_field 2>&1 || true)
denied "$out"; tap_result $? "nor pg_dump the table"
is "$(q alice -c 'COPY agent_guard.customer_field (kind, masked) TO STDOUT' | grep -c '^cpf')" 1 \
  "an agent copies out the masks"

# NOTIFY: a client listening hears the new version when the supervisor changes the policy.
mkfifo "$work/listen"
psql -XAtq -U alice <"$work/listen" >"$work/listen.out" 2>&1 &
listener_pid=$!
exec 3>"$work/listen"
echo "LISTEN agent_guard_policy; SELECT 'listening';" >&3
for _ in $(seq 100); do
  grep -q listening "$work/listen.out" 2>/dev/null && break
  sleep 0.05
done
version=$(q sam -c "SELECT agent_guard.set_policy('{\"idle-lock\": 120}')")
out=$(q sam -c "SELECT agent_guard.set_policy('{\"idle-lock\": 5000}')" || true)
case "$out" in *"outside 30–900"*) tap_result 0 "a refused change says why" ;; *) tap_result 1 "a refused change says why" ;; esac
psql -XAtq -c "INSERT INTO agent_guard.policy_bound VALUES ('idle-lock', '60')" >/dev/null
tightened=$(q alice -c 'SELECT version FROM agent_guard.current_policy()')
# psql prints what arrived when it next talks to the server.
echo "SELECT 'polled';" >&3
for _ in $(seq 100); do
  grep -q polled "$work/listen.out" 2>/dev/null && break
  sleep 0.05
done
notes=$(grep -o 'notification "agent_guard_policy" with payload "[0-9]*"' "$work/listen.out" \
  | grep -o '[0-9]*"$' | tr -d '"' | tr '\n' ' ')
is "$notes" "$version $tightened " \
  "the listener heard version $version (a supervisor's change) and $tightened (a tighter bound), not the refused change"
is "$(q alice -c 'SELECT settings->>'"'idle-lock'"' FROM agent_guard.current_policy()')" 60 \
  "and the policy in force is the tightened one"
echo '\q' >&3
exec 3>&-
wait "$listener_pid" || true
listener_pid=

# The schema: applying it again changes nothing; a newer database is never downgraded.
"$here/pg-fixture.sh" apply
tap_result $? "applying the schema again succeeds"
is "$(q postgres -c "SELECT count(*) || ' ' || max(version) FROM agent_guard.schema_version")" '2 2' \
  "and leaves versions 1 and 2 applied once each"
psql -XAtq -c 'INSERT INTO agent_guard.schema_version (version) VALUES (99)'
out=$("$here/pg-fixture.sh" apply 2>&1) && rc=0 || rc=$?
is "$rc" 1 "a database newer than the schema files is refused"
case "$out" in *"refusing to downgrade"*) tap_result 0 "saying so" ;; *) tap_result 1 "saying so"; echo "# $out" ;; esac

done_testing

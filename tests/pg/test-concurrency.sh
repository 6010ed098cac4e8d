#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# 50 sessions of one agent reveal at the same moment with a quota of 10 an hour: exactly 10
# values and 40 `reveal-denied quota` entries, and the ledger verifies. Run under
# pg-fixture.sh.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/tap.sh"

sessions=50
quota=10
work=$(mktemp -d)
barrier_pid=
cleanup () {
  [ -n "$barrier_pid" ] && kill "$barrier_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

psql -XAtq -v ON_ERROR_STOP=1 -f "$here/setup.sql" >/dev/null
is "$(q sam -c "SELECT agent_guard.set_policy('{\"max-reveals-per-hour\": $quota}') > 1")" t \
  "the supervisor sets a quota of $quota reveals an hour"

# The barrier: the superuser holds an advisory lock that every agent session waits for, so
# that all of them call reveal() at once when it is released.
mkfifo "$work/barrier"
psql -XAtq -v ON_ERROR_STOP=1 <"$work/barrier" >"$work/barrier.out" 2>&1 &
barrier_pid=$!
exec 3>"$work/barrier"
echo "SELECT pg_advisory_lock(4242); SELECT 'locked';" >&3
for _ in $(seq 100); do
  grep -q locked "$work/barrier.out" 2>/dev/null && break
  sleep 0.05
done

pids=()
for i in $(seq "$sessions"); do
  psql -XAtq -U alice -c "SELECT pg_advisory_lock_shared(4242)" \
    -c "SELECT status || ' ' || coalesce(value, '-') FROM agent_guard.reveal('c-0001', 'cpf', 'identity-check', 'T-$i', 's$i', 'live')" \
    >"$work/out.$i" 2>&1 &
  pids+=($!)
done
waiting=0
for _ in $(seq 200); do
  waiting=$(psql -XAtq -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
  [ "$waiting" -eq "$sessions" ] && break
  sleep 0.05
done
is "$waiting" "$sessions" "$sessions sessions of alice wait at the barrier"
t0=$(date +%s%N)
echo "SELECT pg_advisory_unlock(4242);" >&3
exec 3>&-
wait "$barrier_pid" || true
barrier_pid=
failed=0
for pid in "${pids[@]}"; do
  wait "$pid" || failed=$((failed + 1))
done
t1=$(date +%s%N)
echo "# $sessions concurrent reveals took $(((t1 - t0) / 1000000)) ms"

is "$failed" 0 "every session ended without an error"
is "$(cat "$work"/out.* | grep -c '^ok 52998224725$')" "$quota" "exactly $quota sessions got the value"
is "$(cat "$work"/out.* | grep -c '^quota -$')" $((sessions - quota)) \
  "the other $((sessions - quota)) were refused for the quota, without a value"
is "$(q postgres -c "SELECT count(*) FROM agent_guard.ledger WHERE agent = 'alice' AND event = 'reveal'")" \
  "$quota" "$quota reveal entries"
is "$(q postgres -c "SELECT count(*) FROM agent_guard.ledger WHERE agent = 'alice' AND event = 'reveal-denied' AND cause = 'quota'")" \
  $((sessions - quota)) "$((sessions - quota)) reveal-denied quota entries"
is "$(q postgres -c "SELECT string_agg(DISTINCT ticket, ',') IS NOT NULL AND count(DISTINCT ticket) = $sessions FROM agent_guard.ledger WHERE agent = 'alice'")" \
  t "one entry for each session"
is "$(q postgres -c "SELECT max(seq) = count(*) FROM agent_guard.ledger WHERE agent = 'alice'")" \
  t "alice's chain has no gap"
is "$(q audrey -c "SELECT ok || ' ' || entries FROM agent_guard.verify_ledger()")" \
  "true $((sessions + 1))" "the ledger verifies (with the policy change)"

done_testing

#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Never a value without its committed entry: clients reveal in a loop, each taking a value
# as given only once its COMMIT has returned; some are killed with SIGKILL mid-way and the
# server is stopped at once (as in a crash) in the middle. After the restart every value
# given has its `reveal` entry and the ledger verifies. Run under pg-fixture.sh.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/tap.sh"

workers=4
work=$(mktemp -d)
pids=()
cleanup () {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT

psql -XAtq -v ON_ERROR_STOP=1 -f "$here/setup.sql" >/dev/null
q sam -c "SELECT agent_guard.set_policy('{\"max-reveals-per-hour\": 1000}')" >/dev/null

# One client: reveal, COMMIT, and only then write the value down as given.
worker () {
  local w=$1 i=0 out
  while [ ! -e "$work/stop" ]; do
    i=$((i + 1))
    out=$(psql -XAtq -v ON_ERROR_STOP=1 -U alice -c 'BEGIN' \
      -c "SELECT status || ' ' || coalesce(value, '-') || ' ' || seq FROM agent_guard.reveal('c-0001', 'cpf', 'identity-check', 'W$w-$i', 's$w', 'live')" \
      -c 'COMMIT' -c "SELECT 'committed'" 2>/dev/null)
    case "$out" in
      *committed*) echo "W$w-$i ${out%%$'\n'*}" >>"$work/given.$w" ;;
      *) echo "W$w-$i" >>"$work/failed.$w" ;;
    esac
  done
}

for w in $(seq "$workers"); do
  worker "$w" &
  pids+=($!)
done
sleep 0.7
# SIGKILL the clients that are talking to the server just now (each lives a few ms).
killed=0
for _ in $(seq 100); do
  for pid in $(pgrep -x psql); do
    if grep -qz "^AG_PG_FIXTURE_DIR=$AG_PG_FIXTURE_DIR\$" "/proc/$pid/environ" 2>/dev/null \
       && kill -KILL "$pid" 2>/dev/null; then
      killed=$((killed + 1))
    fi
  done
  [ "$killed" -ge 3 ] && break
  sleep 0.01
done
echo "# killed $killed clients with SIGKILL"
sleep 0.5
"$here/pg-fixture.sh" server crash
echo "# stopped the server at once"
sleep 0.3
"$here/pg-fixture.sh" server start
sleep 0.7
touch "$work/stop"
for pid in "${pids[@]}"; do
  wait "$pid"
done
pids=()

given=$(cat "$work"/given.* 2>/dev/null | wc -l)
failed=$(cat "$work"/failed.* 2>/dev/null | wc -l)
echo "# $given reveals given, $failed failed or cut off"
tap_result $(( given > 20 ? 0 : 1 )) "clients were given values ($given)"
tap_result $(( failed > 0 ? 0 : 1 )) "and some were cut off, by SIGKILL or with the server gone ($failed)"
tap_result $(( killed > 0 ? 0 : 1 )) "clients were killed in the middle of a reveal ($killed)"

# Every value given: its entry, with the same seq, committed.
missing=0
while read -r ticket status value seq; do
  [ "$status" = ok ] || continue
  [ "$value" = 52998224725 ] || missing=$((missing + 1))
  row=$(psql -XAtq -c "SELECT seq FROM agent_guard.ledger WHERE agent = 'alice' AND event = 'reveal' AND ticket = '$ticket'")
  [ "$row" = "$seq" ] || missing=$((missing + 1))
done < <(cat "$work"/given.*)
is "$missing" 0 "every value given has its committed reveal entry"
entries=$(psql -XAtq -c "SELECT count(*) FROM agent_guard.ledger WHERE agent = 'alice' AND event = 'reveal'")
echo "# $entries reveal entries"
# An entry may lack its value (committed, then the client died): never the reverse.
tap_result $(( entries >= given && entries <= given + failed ? 0 : 1 )) \
  "$entries entries: one for each value given, and at most the $failed cut off"
is "$(q audrey -c "SELECT ok FROM agent_guard.verify_ledger()")" t "the ledger verifies after the crash"

done_testing

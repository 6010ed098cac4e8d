# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
# TAP for the pg tests written in shell: `ok CONDITION-STATUS DESCRIPTION`, `is GOT WANT
# DESCRIPTION`, `done_testing` at the end (exit 1 when any failed).
tap_n=0
tap_failed=0

tap_result () {
  tap_n=$((tap_n + 1))
  if [ "$1" -eq 0 ]; then
    echo "ok $tap_n - $2"
  else
    echo "not ok $tap_n - $2"
    tap_failed=$((tap_failed + 1))
  fi
}

# is GOT WANT DESCRIPTION
is () {
  if [ "$1" = "$2" ]; then
    tap_result 0 "$3"
  else
    tap_result 1 "$3"
    echo "#   got:  '$1'"
    echo "#   want: '$2'"
  fi
}

done_testing () {
  echo "1..$tap_n"
  [ "$tap_failed" -eq 0 ]
}

# psql as ROLE, unaligned, tuples only; stderr joins stdout.
q () {
  local role=$1
  shift
  psql -XAtq -v ON_ERROR_STOP=1 -U "$role" "$@" 2>&1
}

#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks that the functions only development builds may have are absent from the built
# programs and static libraries of a release build:
#   check-release-symbols.sh absent|present NM FILE…
# `absent` (a release build) fails when any FILE defines one of them or names it anywhere
# (a stripped program still carries its name in g_return_if_fail messages). `present` (a
# development build) fails when a program that should have them does not: it proves the
# check can find what it looks for. Run by `meson test` as release-symbols (suite unit).
set -eu

# Development-only functions: they open a value without writing its ledger entry first.
symbols='ag_sqlite_store_unseal_for_testing'

mode=$1
nm=$2
shift 2

failed=0
for file in "$@"; do
  for symbol in $symbols; do
    # A symbol this file defines (T, t, …), in any of its objects.
    if "$nm" --defined-only "$file" 2>/dev/null | grep -q " $symbol\$"; then
      defined=true
    else
      defined=false
    fi
    if grep -q -a -F "$symbol" "$file"; then
      named=true
    else
      named=false
    fi
    case "$mode" in
      absent)
        if $defined || $named; then
          echo "not ok: $file: has $symbol (defined: $defined, named: $named)"
          failed=1
        else
          echo "ok: $file: no $symbol"
        fi
        ;;
      present)
        if $defined; then
          echo "ok: $file: defines $symbol, as a development build does"
        else
          echo "not ok: $file: does not define $symbol, although this is a development build"
          failed=1
        fi
        ;;
      *)
        echo "usage: $0 absent|present NM FILE…" >&2
        exit 2
        ;;
    esac
  done
done
exit $failed

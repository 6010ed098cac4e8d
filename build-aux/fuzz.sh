#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs one libFuzzer harness for a while, then merges the inputs it found that reach new
# code into its corpus (tests/fuzz/corpus/NAME/), which `meson test` replays from then on.
#   build-aux/fuzz.sh NAME [MINUTES]      e.g. build-aux/fuzz.sh import 10
# NAME is a harness tests/fuzz/fuzz-NAME.c (import, pii). MINUTES defaults to 5. Builds
# _build-fuzz with clang and -Dfuzzing=true. A crash stops the run and leaves the input
# as tests/fuzz/crash-* (git ignores it): fix the bug, then add that input to the corpus.
# Extra libFuzzer options can go in AG_FUZZ_ARGS (e.g. AG_FUZZ_ARGS='-max_len=65536').
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

if [ $# -lt 1 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
  sed -n '4,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 2
fi
name=$1
minutes=${2:-5}
case "$minutes" in
  ''|*[!0-9]*) echo "fuzz.sh: MINUTES must be a whole number" >&2; exit 2 ;;
esac
if [ ! -f "tests/fuzz/fuzz-$name.c" ]; then
  echo "fuzz.sh: no harness tests/fuzz/fuzz-$name.c" >&2
  exit 2
fi

build=_build-fuzz
if [ -f "$build/meson-private/coredata.dat" ]; then
  meson setup --reconfigure "$build" -Dfuzzing=true -Ddevelopment=true >/dev/null
else
  CC=clang meson setup "$build" -Dfuzzing=true -Ddevelopment=true -Db_lundef=false
fi
meson compile -C "$build" "tests/fuzz/fuzz-$name"

corpus="tests/fuzz/corpus/$name"
new=$(mktemp -d "${TMPDIR:-/tmp}/ag-fuzz-$name.XXXXXX")
trap 'rm -rf "$new"' EXIT
mkdir -p "$corpus"

jobs=$(nproc 2>/dev/null || echo 1)
echo "fuzz.sh: fuzzing $name for $minutes min on $jobs core(s); new inputs go to $new"
# New inputs are written to the first directory; the corpus is read as a seed.
# shellcheck disable=SC2086
"$build/tests/fuzz/fuzz-$name" -max_total_time=$((minutes * 60)) -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=tests/fuzz/ \
  -jobs="$jobs" -workers="$jobs" ${AG_FUZZ_ARGS:-} "$new" "$corpus"

before=$(find "$corpus" -type f | wc -l)
# -merge=1 copies into the corpus only the inputs that add coverage.
"$build/tests/fuzz/fuzz-$name" -merge=1 "$corpus" "$new"
after=$(find "$corpus" -type f | wc -l)
rm -f fuzz-[0-9]*.log
echo "fuzz.sh: $corpus: $before -> $after inputs. Review and commit the new ones:"
echo "  git add $corpus && git commit -m 'tests: Grow the $name fuzz corpus'"

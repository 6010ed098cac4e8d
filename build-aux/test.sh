#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The whole test suite, as the README says and CI runs it (.ci/run):
#   1. build-aux/install-deps.sh    the Debian packages (only the missing ones)
#      (as root: the throwaway user agtest, for the PAM tests run as an ordinary user)
#   2. build-aux/format.sh --check  clang-format clean
#   3. _build       development build; meson test, every suite
#   4. _build-asan  the same under AddressSanitizer + UndefinedBehaviorSanitizer
#                   (fuzz corpus replay included)
#   5. build-aux/check-deb.sh  the Debian package: build, lintian, install, upgrade,
#                   purge, piuparts (the install part needs root; skipped without it)
# Exits non-zero when any step fails, any test fails or times out, or a test leaves a
# process behind; the last line is "N passed, N failed" (test programs of both builds;
# a failed step counts as one failure).
#   build-aux/test.sh [--no-install] [--no-asan] [--no-deb] [MESON TEST ARG…]
#     --no-install  skip step 1
#     --no-asan     skip step 4 (quicker, for a developer; CI never does this)
#     --no-deb      skip step 5 (likewise)
#     anything else is passed to both `meson test` runs (e.g. --suite unit)
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1

do_install=true
do_asan=true
do_deb=true
meson_test_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-install) do_install=false ;;
    --no-asan) do_asan=false ;;
    --no-deb) do_deb=false ;;
    -h|--help) sed -n '3,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) meson_test_args+=("$1") ;;
  esac
  shift
done

jobs=$(nproc 2>/dev/null || echo 2)
start_time=$SECONDS

# Every process this run starts carries this in its environment, so the stray-process
# check finds ours and only ours (other builds may run on the same machine).
AG_TEST_RUN_ID="ag-test-$$-$(date +%s)"
export AG_TEST_RUN_ID

# Results, in order, for the summary.
step_names=()
step_results=()
passed=0
failed=0
skipped=0
failed_tests=()

record () {
  step_names+=("$1")
  step_results+=("$2")
  if [ "$2" = FAIL ]; then
    failed=$((failed + 1))
  fi
}

banner () {
  printf '\n==== %s ====\n' "$*"
}

# Configures BUILDDIR with the given options: reconfigures an existing build dir, wipes it
# when that fails (e.g. another meson version made it).
setup_build () {
  local dir=$1
  shift
  if [ -f "$dir/meson-private/coredata.dat" ]; then
    meson setup --reconfigure "$dir" "$@" || meson setup --wipe "$dir" "$@"
  else
    rm -rf "$dir"
    meson setup "$dir" "$@"
  fi
}

# Reads BUILDDIR/meson-logs/testlog.json and adds its test programs to the counts.
count_tests () {
  local dir=$1 label=$2 counts
  if [ ! -f "$dir/meson-logs/testlog.json" ]; then
    echo "no test log in $dir: meson test did not run"
    return 1
  fi
  counts=$(python3 - "$dir/meson-logs/testlog.json" "$label" <<'PY'
import json, sys
ok = bad = skip = 0
names = []
with open(sys.argv[1], encoding="utf-8") as log:
    for line in log:
        line = line.strip()
        if not line:
            continue
        t = json.loads(line)
        result = t.get("result", "")
        if result in ("OK", "EXPECTEDFAIL"):
            ok += 1
        elif result == "SKIP":
            skip += 1
        else:  # FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS, …
            bad += 1
            names.append("%s:%s (%s)" % (sys.argv[2], t.get("name", "?"), result))
print(ok, bad, skip)
for n in names:
    print(n)
PY
  ) || return 1
  local first rest
  first=$(printf '%s\n' "$counts" | head -n 1)
  read -r ok bad skip <<< "$first"
  passed=$((passed + ok))
  failed=$((failed + bad))
  skipped=$((skipped + skip))
  while IFS= read -r rest; do
    [ -n "$rest" ] && failed_tests+=("$rest")
  done < <(printf '%s\n' "$counts" | tail -n +2)
  echo "$label: $ok passed, $bad failed, $skip skipped"
  [ "$bad" -eq 0 ]
}

# Configure, compile and test one build directory.
build_and_test () {
  local label=$1 dir=$2
  shift 2
  banner "$label: meson setup $dir $*"
  if ! setup_build "$dir" "$@"; then
    record "$label: meson setup" FAIL
    return
  fi
  record "$label: meson setup" ok

  banner "$label: compile"
  if ! meson compile -C "$dir" -j "$jobs"; then
    record "$label: compile" FAIL
    return
  fi
  record "$label: compile" ok

  banner "$label: meson test"
  rm -f "$dir/meson-logs/testlog.json"
  local multiplier=1
  [ "$label" = asan ] && multiplier=3
  meson test -C "$dir" --print-errorlogs --num-processes "$jobs" \
    --timeout-multiplier "$multiplier" "${meson_test_args[@]}"
  local rc=$? before=${#failed_tests[@]} crc=0
  count_tests "$dir" "$label" || crc=$?
  if [ $rc -eq 0 ] && [ $crc -eq 0 ]; then
    record "$label: meson test" ok
  elif [ ${#failed_tests[@]} -gt "$before" ]; then
    # The failing tests are counted already.
    step_names+=("$label: meson test")
    step_results+=(FAIL)
  else
    # meson test failed with no failing test in its log (e.g. an error before any test).
    record "$label: meson test (exit $rc)" FAIL
  fi
}

# Processes started by this run that are still alive and no longer children of this
# script (a test must stop its Xvfb, dbus-daemon and gnome-keyring-daemon). Prints
# "PID COMMAND LINE" lines.
our_processes () {
  python3 - "$$" "AG_TEST_RUN_ID=$AG_TEST_RUN_ID" <<'PY'
import os, sys
me, marker = int(sys.argv[1]), sys.argv[2].encode()
def ppid(pid):
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            return int(f.read().rsplit(b")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0
def ours(pid):
    while pid > 1:
        if pid == me:
            return True
        pid = ppid(pid)
    return False
for entry in os.listdir("/proc"):
    if not entry.isdigit():
        continue
    pid = int(entry)
    try:
        with open("/proc/%d/environ" % pid, "rb") as f:
            env = f.read().split(b"\0")
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        continue
    if marker in env and not ours(pid):
        print(pid, cmd)
PY
}

check_strays () {
  local strays pid
  # Give daemons whose bus just closed a moment to exit.
  for _ in 1 2 3 4 5; do
    strays=$(our_processes)
    [ -z "$strays" ] && break
    sleep 1
  done
  banner "stray processes"
  if [ -z "$strays" ]; then
    echo "none"
    record "no stray processes" ok
    return
  fi
  echo "left behind by the tests (a bug in a test or in tests/run-test.sh):"
  printf '  %s\n' "$strays"
  record "no stray processes" FAIL
  # Ours: stop them by id.
  while read -r pid _; do
    kill "$pid" 2>/dev/null
  done <<< "$strays"
}

if $do_install; then
  banner "install-deps"
  if build-aux/install-deps.sh; then
    record "install-deps" ok
  else
    record "install-deps" FAIL
    echo "cannot go on without the packages"
    echo "$passed passed, $failed failed"
    exit 1
  fi
fi

# The PAM tests also run their key cases as an ordinary user, as agents run the app
# (tests/test-auth-session.c). As root, make that throwaway user once; otherwise those
# cases are skipped and say so.
if [ "$(id -u)" = 0 ] && ! getent passwd agtest >/dev/null; then
  banner "test user"
  if useradd --create-home --shell /usr/sbin/nologin agtest; then
    record "test user agtest" ok
  else
    record "test user agtest" FAIL
  fi
fi

banner "format check"
if build-aux/format.sh --check; then
  record "format.sh --check" ok
else
  record "format.sh --check" FAIL
fi

build_and_test dev _build -Ddevelopment=true

if $do_asan; then
  # GCC's sanitizers: the same compiler as the development build, and no clang-only
  # runtime to find. LSan suppressions (tests/lsan.supp) cover GTK/Mesa/fontconfig only.
  build_and_test asan _build-asan -Ddevelopment=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dbuildtype=debug
fi

if $do_deb; then
  banner "Debian package: build-aux/check-deb.sh"
  build-aux/check-deb.sh
  case $? in
    0) record "Debian package (check-deb.sh)" ok ;;
    77) record "Debian package (check-deb.sh): built and linted; install, upgrade, purge not run (not root)" SKIP ;;
    *) record "Debian package (check-deb.sh)" FAIL ;;
  esac
fi

check_strays

elapsed=$((SECONDS - start_time))
banner "summary"
for i in "${!step_names[@]}"; do
  printf '  %-4s  %s\n' "${step_results[$i]}" "${step_names[$i]}"
done
if [ ${#failed_tests[@]} -gt 0 ]; then
  echo "  failed tests:"
  printf '    %s\n' "${failed_tests[@]}"
fi
printf '  %d test programs skipped; %dm%02ds\n' "$skipped" $((elapsed / 60)) $((elapsed % 60))
echo
if [ $skipped -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi

status=0
for r in "${step_results[@]}"; do
  [ "$r" = FAIL ] && status=1
done
[ $failed -gt 0 ] && status=1
exit $status

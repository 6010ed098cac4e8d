#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs one test program the way the suite needs it:
#   run-test.sh [--keyring] [--display] PROGRAM [ARG…]
# --keyring: a private D-Bus session bus with a real, unlocked gnome-keyring (the Secret
#            Service), and a private HOME and XDG_RUNTIME_DIR.
# --display: a private Xvfb display as well (implies --keyring's bus).
set -eu

keyring=false
display=false
while [ $# -gt 0 ]; do
  case "$1" in
    --keyring) keyring=true; shift ;;
    --display) display=true; keyring=true; shift ;;
    *) break ;;
  esac
done

if ! $keyring; then
  exec "$@"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ag-test.XXXXXX")
cleanup () { rm -rf "$tmp"; }
trap cleanup EXIT INT TERM
mkdir -m 700 "$tmp/home" "$tmp/run"
HOME="$tmp/home"
XDG_RUNTIME_DIR="$tmp/run"
XDG_DATA_HOME="$tmp/home/.local/share"
XDG_CONFIG_HOME="$tmp/home/.config"
XDG_CACHE_HOME="$tmp/home/.cache"
export HOME XDG_RUNTIME_DIR XDG_DATA_HOME XDG_CONFIG_HOME XDG_CACHE_HOME
unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY

# gnome-keyring-daemon daemonizes and outlives the bus (and the test) unless stopped: ask
# the bus which process owns the Secret Service (once it is there: the daemon returns
# before it owns the name), and stop exactly that one at the end.
inner='printf %s agent-guard-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1
gdbus wait --session --timeout 20 org.freedesktop.secrets || exit 1
keyring_pid=$(gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
  --method org.freedesktop.DBus.GetConnectionUnixProcessID org.freedesktop.secrets \
  | sed -n "s/^(uint32 \([0-9][0-9]*\),)\$/\1/p")
stop_keyring () { if [ -n "$keyring_pid" ]; then kill "$keyring_pid" 2>/dev/null; fi; }
trap "stop_keyring; exit 143" HUP INT TERM
status=0
"$@" || status=$?
stop_keyring
exit $status'

status=0
if $display; then
  # Under ASan, LSan's slow unwinder (full stacks through Debian's libraries, which
  # tests/lsan.supp needs) deadlocks inside libgcc once Mesa's llvmpipe registers its JIT
  # code. softpipe is Mesa's software GL without a JIT.
  if grep -q __asan_init "$1" 2>/dev/null; then
    GALLIUM_DRIVER=softpipe
    export GALLIUM_DRIVER
  fi
  xvfb-run -a -s '-screen 0 1280x800x24' \
    dbus-run-session -- sh -c "$inner" sh "$@" || status=$?
else
  dbus-run-session -- sh -c "$inner" sh "$@" || status=$?
fi
exit $status

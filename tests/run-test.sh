#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs one test program the way the suite needs it:
#   run-test.sh [--keyring] [--display] [--wm] PROGRAM [ARG…]
# --keyring: a private D-Bus session bus with a real, unlocked gnome-keyring (the Secret
#            Service), and a private HOME and XDG_RUNTIME_DIR.
# --display: a private Xvfb display as well (implies --keyring's bus).
# --wm:      a window manager on that display too (openbox, EWMH: it minimises, focuses
#            and reports _NET_WM_STATE like a desktop's); implies --display.
set -eu

keyring=false
display=false
wm=false
while [ $# -gt 0 ]; do
  case "$1" in
    --keyring) keyring=true; shift ;;
    --display) display=true; keyring=true; shift ;;
    --wm) wm=true; display=true; keyring=true; shift ;;
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
# before it owns the name), and stop exactly that one at the end; the window manager too.
inner='printf %s agent-guard-test | env -u G_DEBUG gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1
gdbus wait --session --timeout 20 org.freedesktop.secrets || exit 1
keyring_pid=$(gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
  --method org.freedesktop.DBus.GetConnectionUnixProcessID org.freedesktop.secrets \
  | sed -n "s/^(uint32 \([0-9][0-9]*\),)\$/\1/p")
wm_pid=
if [ "${AG_TEST_WM:-}" = openbox ]; then
  openbox --sm-disable --config-file /dev/null >"$XDG_RUNTIME_DIR/openbox.log" 2>&1 &
  wm_pid=$!
  # The window manager is up once it has announced itself on the root window.
  tries=0
  until xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null | grep -q "window id"; do
    tries=$((tries + 1))
    if [ $tries -gt 200 ]; then
      echo "openbox did not start" >&2
      cat "$XDG_RUNTIME_DIR/openbox.log" >&2
      kill "$keyring_pid" $wm_pid 2>/dev/null
      exit 1
    fi
    sleep 0.05
  done
fi
stop_daemons () {
  if [ -n "$keyring_pid" ]; then kill "$keyring_pid" 2>/dev/null; fi
  if [ -n "$wm_pid" ]; then kill "$wm_pid" 2>/dev/null; fi
}
trap "stop_daemons; exit 143" HUP INT TERM
status=0
"$@" || status=$?
stop_daemons
exit $status'

# The bus and what it starts (the AT-SPI registry greets on its standard output) write to
# stderr: the test's standard output is its TAP stream, handed to it on fd 9 and back.
inner="exec 1>&9 9>&-
$inner"

status=0
if $display; then
  # Under ASan, LSan's slow unwinder (full stacks through Debian's libraries, which
  # tests/lsan.supp needs) deadlocks inside libgcc once Mesa's llvmpipe registers its JIT
  # code. softpipe is Mesa's software GL without a JIT.
  if grep -q __asan_init "$1" 2>/dev/null; then
    GALLIUM_DRIVER=softpipe
    export GALLIUM_DRIVER
  fi
  if $wm; then AG_TEST_WM=openbox; export AG_TEST_WM; fi
  xvfb-run -a -s '-screen 0 1280x800x24' \
    dbus-run-session -- sh -c "$inner" sh "$@" 9>&1 1>&2 || status=$?
else
  dbus-run-session -- sh -c "$inner" sh "$@" 9>&1 1>&2 || status=$?
fi
exit $status

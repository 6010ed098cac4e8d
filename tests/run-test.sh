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

inner='printf %s agent-guard-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"'

status=0
if $display; then
  xvfb-run -a -s '-screen 0 1280x800x24' \
    dbus-run-session -- sh -c "$inner" sh "$@" || status=$?
else
  dbus-run-session -- sh -c "$inner" sh "$@" || status=$?
fi
exit $status

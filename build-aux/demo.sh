#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The README's demo command: builds Agent Guard and opens it on a store of 500 synthetic
# customers (no real personal data anywhere).
#   build-aux/demo.sh [--no-install]
# What it does, on a fresh Debian 12 machine too:
#   1. installs the missing Debian packages (build-aux/install-deps.sh; sudo when not root)
#   2. builds _build (development build)
#   3. finds a Secret Service for the store's keys: the desktop's own keyring when the
#      session bus has org.freedesktop.secrets; else a private D-Bus session with a
#      gnome-keyring kept in the demo folder, unlocked with the demo password
#   4. creates the demo store once: $AG_DEMO_DIR/store.db, by default in
#      ${XDG_DATA_HOME:-~/.local/share}/agent-guard-demo (AG_DEMO_RESET=1 starts afresh)
#   5. sets up a private PAM configuration in $AG_DEMO_DIR/pam (AG_PAM_CONFDIR): the real
#      pam_matrix with a demo password and pam_oath with a fresh TOTP secret, and prints
#      the password and the command for the current code (oathtool --totp KEY)
#   6. runs _build/ui/agent-guard --store … at its lock page, translated:
#      LANGUAGE=pt_BR build-aux/demo.sh
# Without a display it says so; AG_DEMO_HEADLESS=1 then runs a smoke test under Xvfb
# instead: it starts the app, waits AG_DEMO_SECONDS (5), saves a screenshot (the path is
# printed; AG_DEMO_SCREENSHOT chooses it) and quits.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
self="$root/build-aux/demo.sh"
build="$root/_build"
demo_password=agent-guard-demo
# The demo's sign-in password (pam_matrix); the second factor is a fresh TOTP secret.
demo_login_password=demo-Senha-2026

say () { printf 'demo: %s\n' "$*" >&2; }
die () { printf 'demo: %s\n' "$*" >&2; exit 1; }

demo_dir=${AG_DEMO_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/agent-guard-demo}
store="$demo_dir/store.db"
# Which Secret Service holds the demo store's keys: "desktop" or "private".
mode_file="$demo_dir/secret-service"

# ---------------------------------------------------------------------------------------
# Inside the session the app runs in (called by the outer part below, maybe under
# dbus-run-session and xvfb-run): keyring, store, login, app.

start_private_keyring () {
  # The keyring files live in the demo folder so the store's keys survive between runs.
  mkdir -p "$demo_dir/keyring"
  chmod 700 "$demo_dir" "$demo_dir/keyring"
  printf %s "$demo_password" \
    | XDG_DATA_HOME="$demo_dir/keyring" gnome-keyring-daemon --unlock --components=secrets \
      >/dev/null || die "gnome-keyring-daemon did not start"
  gdbus wait --session --timeout 20 org.freedesktop.secrets \
    || die "the private keyring did not appear on the session bus"
  keyring_pid=$(gdbus call --session --dest org.freedesktop.DBus \
                  --object-path /org/freedesktop/DBus \
                  --method org.freedesktop.DBus.GetConnectionUnixProcessID \
                  org.freedesktop.secrets | sed -n 's/^(uint32 \([0-9][0-9]*\),)$/\1/p')
}

stop_private_keyring () {
  if [ -n "${keyring_pid:-}" ]; then
    kill "$keyring_pid" 2>/dev/null || true
    keyring_pid=
  fi
}

create_store () {
  if [ -e "$store" ]; then
    say "using the demo store $store"
    return
  fi
  mkdir -p "$demo_dir"
  chmod 700 "$demo_dir"
  say "creating the demo store $store (500 synthetic customers, seed 2026)"
  if ! "$build/admin/agent-guard-admin" generate --store "$store" --count 500 --seed 2026; then
    rm -f "$store" "$store-wal" "$store-shm"
    die "agent-guard-admin generate failed (see above)"
  fi
  printf '%s\n' "$AG_DEMO_SECRET_MODE" > "$mode_file"
}

setup_login () {
  # A private PAM configuration for the current user, read through AG_PAM_CONFDIR (only
  # development builds honour it): the real pam_matrix checks the demo password and the
  # real pam_oath a TOTP code from a secret made afresh for every run.
  local matrix=/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so
  local oath=/lib/x86_64-linux-gnu/security/pam_oath.so
  local confdir="$demo_dir/pam"
  local user key
  user=$(id -un)
  [ -f "$matrix" ] || die "$matrix is missing (Debian package libpam-wrapper)"
  [ -f "$oath" ] || die "$oath is missing (Debian package libpam-oath)"
  command -v oathtool >/dev/null || die "oathtool is missing (Debian package oathtool)"
  case "$confdir" in
    *[[:space:]]*) die "PAM cannot read a file under '$confdir' (it has a space): set AG_DEMO_DIR" ;;
  esac

  rm -rf "$confdir"
  mkdir -p "$confdir/oath"
  chmod 700 "$confdir" "$confdir/oath"
  key=$(od -An -N20 -tx1 /dev/urandom | tr -d ' \n')
  (
    umask 077
    printf '%s:%s:agent-guard\n' "$user" "$demo_login_password" > "$confdir/passdb"
    # pam_oath rewrites this file after each code (to refuse a replay): its folder must be
    # writable by the user.
    printf 'HOTP/T30/6 %s - %s\n' "$user" "$key" > "$confdir/oath/users.oath"
    cat > "$confdir/agent-guard" <<EOF_PAM
# The Agent Guard demo's two factors; see data/pam/agent-guard for the shipped stack.
auth     required $matrix passdb=$confdir/passdb
auth     required $oath usersfile=$confdir/oath/users.oath window=3
account  required $matrix passdb=$confdir/passdb
EOF_PAM
  )
  export AG_PAM_CONFDIR="$confdir"

  say "sign in as $user with two factors:"
  say "  password:  $demo_login_password"
  say "  code:      oathtool --totp $key"
  say "             (a new code every 30 seconds; each code works once)"
}

run_inner () {
  keyring_pid=
  trap 'stop_private_keyring' EXIT
  if [ "$AG_DEMO_SECRET_MODE" = private ]; then
    start_private_keyring
  fi
  create_store
  setup_login

  # Translations straight from the build tree (meson writes LANG/LC_MESSAGES/*.mo there).
  # gettext ignores LANGUAGE under the C locale, so use C.UTF-8 when that is all we have.
  export AG_LOCALEDIR="$build/po"
  if [ -n "${LANGUAGE:-}" ]; then
    case "${LC_ALL:-${LC_MESSAGES:-${LANG:-C}}}" in
      C|POSIX) export LC_ALL=C.UTF-8 ;;
    esac
  fi

  local app=("$build/ui/agent-guard" --store "$store")
  if [ "${AG_DEMO_HEADLESS:-0}" = 1 ]; then
    local shot=${AG_DEMO_SCREENSHOT:-$demo_dir/screenshot.png}
    local seconds=${AG_DEMO_SECONDS:-5}
    local status=0 app_pid
    export GTK_A11Y=none NO_AT_BRIDGE=1 MESA_SHADER_CACHE_DISABLE=true
    "${app[@]}" &
    app_pid=$!
    sleep "$seconds"
    if ! kill -0 "$app_pid" 2>/dev/null; then
      wait "$app_pid" || status=$?
      die "agent-guard exited (status $status) within $seconds s; no screenshot"
    fi
    import -window root "$shot" || status=$?
    kill "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
    [ $status -eq 0 ] || die "the screenshot failed"
    say "headless smoke run done; screenshot: $shot"
    return 0
  fi

  say "starting agent-guard${LANGUAGE:+ (LANGUAGE=$LANGUAGE)}"
  if [ "$AG_DEMO_SECRET_MODE" = private ]; then
    # Not exec: the private keyring must be stopped when the app ends.
    "${app[@]}"
  else
    trap - EXIT
    exec "${app[@]}"
  fi
}

if [ "${1:-}" = --inner ]; then
  run_inner
  exit $?
fi

# ---------------------------------------------------------------------------------------
# Outside: packages, build, then pick the display and the Secret Service.

do_install=true
case "${1:-}" in
  --no-install) do_install=false ;;
  '') ;;
  -h|--help) sed -n '3,22p' "$self" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown option '$1' (see --help)" ;;
esac

if [ "${AG_DEMO_RESET:-0}" = 1 ] && [ -d "$demo_dir" ]; then
  say "AG_DEMO_RESET=1: removing $demo_dir"
  rm -rf "$demo_dir"
fi

if $do_install; then
  "$root/build-aux/install-deps.sh"
fi

cd "$root"
if [ -f "$build/meson-private/coredata.dat" ]; then
  meson setup --reconfigure "$build" -Ddevelopment=true >/dev/null \
    || meson setup --wipe "$build" -Ddevelopment=true
else
  meson setup "$build" -Ddevelopment=true
fi
meson compile -C "$build" -j "$(nproc 2>/dev/null || echo 2)"

headless=false
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  if [ "${AG_DEMO_HEADLESS:-0}" = 1 ]; then
    headless=true
  else
    say "there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set), so the window"
    say "cannot open. Run this from a desktop session (or with ssh -X), or run a headless"
    say "smoke test that starts the app under Xvfb and saves a screenshot:"
    say "  AG_DEMO_HEADLESS=1 build-aux/demo.sh"
    exit 1
  fi
fi

# A desktop's Secret Service, when the session bus has one running.
secret_mode=private
if ! $headless && gdbus call --session --dest org.freedesktop.DBus \
       --object-path /org/freedesktop/DBus --method org.freedesktop.DBus.NameHasOwner \
       org.freedesktop.secrets 2>/dev/null | grep -q true; then
  secret_mode=desktop
fi
export AG_DEMO_SECRET_MODE=$secret_mode

if [ -e "$store" ] && [ -f "$mode_file" ] && [ "$(cat "$mode_file")" != "$secret_mode" ]; then
  die "the demo store's keys are in the $(cat "$mode_file") keyring, but this run uses the
$secret_mode one. Run it the way you did first, or start afresh: AG_DEMO_RESET=1 $0"
fi

if [ $secret_mode = desktop ]; then
  say "using the desktop's Secret Service"
  exec "$self" --inner
fi

say "no Secret Service on the session bus: using a private D-Bus session with a"
say "gnome-keyring in $demo_dir/keyring (password: $demo_password)"
# A private runtime folder too: gnome-keyring's control socket lives there, and with the
# user's own a running desktop keyring would take the request instead of ours. A Wayland
# display socket named relative to the old folder is kept by its full path.
if [ -n "${WAYLAND_DISPLAY:-}" ] && [ "${WAYLAND_DISPLAY#/}" = "$WAYLAND_DISPLAY" ]; then
  export WAYLAND_DISPLAY="${XDG_RUNTIME_DIR:-/run/user/$(id -u)}/$WAYLAND_DISPLAY"
fi
XDG_RUNTIME_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ag-demo-run.XXXXXX")
chmod 700 "$XDG_RUNTIME_DIR"
export XDG_RUNTIME_DIR
trap 'rm -rf "$XDG_RUNTIME_DIR"' EXIT
unset DBUS_SESSION_BUS_ADDRESS

status=0
if $headless; then
  say "no display: headless smoke run under Xvfb"
  xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- "$self" --inner || status=$?
else
  dbus-run-session -- "$self" --inner || status=$?
fi
exit $status

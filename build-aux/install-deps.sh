#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs the Debian 12 packages listed in build-aux/debian-packages.txt that are not
# installed yet. A machine that has them all does no apt work at all.
#   build-aux/install-deps.sh [--check]
# --check: only list the missing packages; exit 1 if there are any.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
list="$here/debian-packages.txt"

check_only=false
case "${1:-}" in
  --check) check_only=true ;;
  '') ;;
  -h|--help)
    sed -n '4,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0 ;;
  *) echo "install-deps.sh: unknown option '$1'" >&2; exit 2 ;;
esac

mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -v '^$')

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "install-deps.sh: dpkg-query not found: this script supports Debian 12 (bookworm) and" >&2
  echo "its derivatives only. Install the equivalents of $list by hand." >&2
  exit 1
fi

missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
  # "ii " = installed; anything else (not known, removed, half-configured) is missing.
  if [[ "$status" != ii* ]]; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#wanted[@]} Debian packages are installed."
  exit 0
fi

echo "install-deps: missing ${#missing[@]} package(s): ${missing[*]}"
if $check_only; then
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
  if [ ! -t 0 ] && ! sudo -n true 2>/dev/null; then
    echo "install-deps.sh: need root to install packages, and sudo cannot ask for a password" >&2
    echo "without a terminal. Run this as root, or from a terminal, or install them yourself:" >&2
    echo "  apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
else
  echo "install-deps.sh: need root to install packages, and sudo is not installed." >&2
  echo "As root, run:" >&2
  echo "  apt-get update && apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}"

# Verify: a package apt could not provide must not pass silently.
still=()
for pkg in "${missing[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
  [[ "$status" == ii* ]] || still+=("$pkg")
done
if [ ${#still[@]} -gt 0 ]; then
  echo "install-deps.sh: still missing after apt-get: ${still[*]}" >&2
  exit 1
fi
echo "install-deps: installed ${missing[*]}."

#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The Debian package, end to end, on this machine (build-aux/test.sh runs it; CI as root):
#   1. copies the tracked source files (no build folders) to a temporary folder and runs
#      `dpkg-buildpackage -us -uc -b` there, as `nobody` when run as root (the package
#      says Rules-Requires-Root: no), with DEB_BUILD_OPTIONS="nocheck parallel=2": the
#      suite runs separately;
#   2. lintian on the .changes: no error and no warning (overrides carry their reason);
#   3. the hardening of the programs (PIE, RELRO, BIND_NOW, fortified calls, no
#      executable stack), no setuid or setgid file, everything owned by root;
#   4. `apt-get install ./agent-guard_….deb`, then the files, modes, owners and groups,
#      the two system groups, `agent-guard-admin --version` and `policy check` of the
#      installed policy.conf, and that the release build reads the installed system and
#      supervisor layers;
#   5. with policy.conf edited: a reinstall, and an upgrade to the same package repacked
#      with a newer version and a changed policy.conf, both with
#      --force-confdef --force-confold and no terminal: the edit must be kept without a
#      prompt; the supervisor files must stay;
#   6. `dpkg --remove` (the supervisor files and policy.conf stay), then `dpkg --purge`:
#      nothing of the package is left but the two groups;
#   7. piuparts: install, remove and purge in a Debian chroot made with debootstrap from
#      the mirror ($AG_DEBIAN_MIRROR, default http://deb.debian.org/debian).
# Steps 4–7 need root (or sudo without a password); without it they are skipped with a
# message and the script exits 77 after steps 1–3. It refuses to start when agent-guard is
# installed already or has left files behind: it would purge them.
# Exit 0 when every check passed, 1 when any failed, 77 as said. About 2.5 minutes.
#   build-aux/check-deb.sh [--keep] [--no-piuparts]
#     --keep         keep the temporary folder (the .deb, the logs) and print its path
#     --no-piuparts  skip step 7 (no mirror at hand; CI never does this)
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1

keep=false
piuparts=true
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=true ;;
    --no-piuparts) piuparts=false ;;
    -h|--help) sed -n '3,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "check-deb.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

start_time=$SECONDS
package=agent-guard
supervisors=agent-guard-supervisors
trainees=agent-guard-trainees
passed=0
failed=0
failures=()

ok () {
  passed=$((passed + 1))
  printf '  ok    %s\n' "$1"
}

bad () {
  failed=$((failed + 1))
  failures+=("$1")
  printf '  FAIL  %s\n' "$1"
}

# check DESCRIPTION COMMAND…: ok when COMMAND succeeds.
check () {
  local what=$1
  shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}

section () {
  printf '\n-- %s\n' "$*"
}

summary () {
  local elapsed=$((SECONDS - start_time)) f
  section "summary"
  for f in "${failures[@]}"; do
    printf '  failed: %s\n' "$f"
  done
  printf 'check-deb: %d checks passed, %d failed (%dm%02ds)\n' "$passed" "$failed" \
    $((elapsed / 60)) $((elapsed % 60))
}

# Root for steps 4–6: ourselves, or sudo without a password.
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  as_root=(none)
fi

for tool in dpkg-buildpackage dpkg-parsechangelog lintian readelf python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    bad "$tool is installed (build-aux/install-deps.sh installs it)"
    summary
    exit 1
  fi
done

version=$(dpkg-parsechangelog -l debian/changelog -S Version)
arch=$(dpkg --print-architecture)
deb_name="${package}_${version}_${arch}.deb"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ag-check-deb.XXXXXX")
chmod 755 "$tmp"
installed_by_us=false

cleanup () {
  # A failed run must not leave the package on the machine.
  if $installed_by_us && [ "${as_root[0]:-}" != none ] \
    && dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null | grep -q '^[ir]'; then
    echo "check-deb: purging $package, which this run installed"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive dpkg --purge "$package" >/dev/null 2>&1
  fi
  if $keep || [ "$failed" -gt 0 ]; then
    echo "check-deb: the package and the logs are in $tmp"
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT

# --- 1. Build from a clean copy -----------------------------------------------------------

section "build $deb_name from a clean copy"
src="$tmp/$package-$version"
mkdir -p "$src" "$tmp/home"
status_before=$(git status --porcelain 2>/dev/null)
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Tracked files and new ones not ignored, as they are in the work tree: what a clone
  # would hold once they are committed. No _build*, no .git.
  git ls-files -z --cached --others --exclude-standard \
    | python3 -c '
import os, sys
names = sys.stdin.buffer.read().split(b"\0")
sys.stdout.buffer.write(b"\0".join(n for n in names if n and os.path.lexists(n)))' \
    | tar -c --null -T - | tar -x -C "$src"
else
  tar -c --exclude='./_build*' --exclude='./.git' . | tar -x -C "$src"
fi
if [ "$(id -u)" -eq 0 ]; then
  # Rules-Requires-Root: no, so the build needs no root: prove it.
  chown -R nobody:nogroup "$tmp"
  as_builder=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
else
  as_builder=()
fi
build_start=$SECONDS
if (cd "$src" && "${as_builder[@]}" env HOME="$tmp/home" DEB_BUILD_OPTIONS="nocheck parallel=2" \
  dpkg-buildpackage -us -uc -b) > "$tmp/build.log" 2>&1; then
  ok "dpkg-buildpackage -us -uc -b ($((SECONDS - build_start)) s; log $tmp/build.log)"
else
  tail -n 40 "$tmp/build.log"
  bad "dpkg-buildpackage -us -uc -b (log: $tmp/build.log)"
  summary
  exit 1
fi
deb="$tmp/$deb_name"
changes="$tmp/${package}_${version}_${arch}.changes"
check "the build left the source tree as it was" \
  test "$(git status --porcelain 2>/dev/null)" = "$status_before"
check "$deb_name was built" test -f "$deb"

# --- 2. lintian ---------------------------------------------------------------------------

section "lintian $(basename "$changes")"
lintian_out="$tmp/lintian.log"
# From the temporary folder: `nobody` may not be able to enter the clone.
(cd "$tmp" && "${as_builder[@]}" env HOME="$tmp/home" lintian --display-info --show-overrides \
  --tag-display-limit 0 "$changes") > "$lintian_out" 2>&1
lintian_rc=$?
sed 's/^/  | /' "$lintian_out"
[ -s "$lintian_out" ] || echo "  | (no tags)"
if [ $lintian_rc -le 1 ] && ! grep -q '^[EW]: ' "$lintian_out"; then
  ok "lintian: no errors, no warnings ($(grep -c '^I: ' "$lintian_out") info, $(grep -c '^O: ' "$lintian_out") overridden)"
else
  bad "lintian: no errors, no warnings (exit $lintian_rc)"
fi

# --- 3. The programs and the archive ------------------------------------------------------

section "hardening, ownership and modes in the .deb"
unpacked="$tmp/unpacked"
mkdir -p "$unpacked"
dpkg-deb -x "$deb" "$unpacked"
for program in agent-guard agent-guard-admin; do
  elf="$unpacked/usr/bin/$program"
  check "$program: PIE" sh -c "readelf -hW '$elf' | grep -q 'Type: *DYN'"
  check "$program: RELRO" sh -c "readelf -lW '$elf' | grep -q GNU_RELRO"
  check "$program: BIND_NOW" sh -c "readelf -dW '$elf' | grep -q 'BIND_NOW\|FLAGS_1.*NOW'"
  check "$program: no executable stack" \
    sh -c "readelf -lW '$elf' | grep GNU_STACK | grep -qv RWE"
  check "$program: fortified libc calls" sh -c "readelf --dyn-syms -W '$elf' | grep -q '_chk@'"
  check "$program: stack protector" \
    sh -c "readelf --dyn-syms -W '$elf' | grep -q '__stack_chk_fail@'"
done
listing=$(dpkg-deb -c "$deb")
check "every entry of the .deb is owned by root:root" \
  test -z "$(awk '$2 != "root/root"' <<< "$listing")"
check "no setuid or setgid entry in the .deb" \
  test -z "$(awk '$1 ~ /[sS]/' <<< "$listing")"

# --- 4. Install --------------------------------------------------------------------------

if [ "${as_root[0]:-}" = none ]; then
  section "install, upgrade, purge, piuparts: SKIPPED"
  echo "  not root, and sudo cannot run without a password: steps 4-7 need root."
  echo "  Run as root (CI does), or: sudo build-aux/check-deb.sh"
  summary
  [ "$failed" -gt 0 ] && exit 1
  exit 77
fi

section "install"
leftovers=()
for path in /etc/agent-guard /var/lib/agent-guard /etc/pam.d/agent-guard /usr/bin/agent-guard \
  /usr/bin/agent-guard-admin; do
  [ -e "$path" ] && leftovers+=("$path")
done
if dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null | grep -q '^[ir]' \
  || [ ${#leftovers[@]} -gt 0 ]; then
  bad "this machine has no $package yet (installed, or left: ${leftovers[*]:-its configuration}); the check would purge it: run 'dpkg --purge $package' or remove those files first"
  summary
  exit 1
fi
had_groups=()
for group in "$supervisors" "$trainees"; do
  getent group "$group" >/dev/null && had_groups+=("$group")
done

apt_root=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive)
apt_opts=(-y -q --no-install-recommends -o DPkg::Lock::Timeout=120
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
installed_by_us=true
if "${apt_root[@]}" apt-get install "${apt_opts[@]}" "$deb" < /dev/null > "$tmp/install.log" 2>&1; then
  ok "apt-get install ./$deb_name"
else
  tail -n 30 "$tmp/install.log"
  bad "apt-get install ./$deb_name (log: $tmp/install.log)"
  summary
  exit 1
fi
check "dpkg says $package $version is installed" \
  test "$(dpkg-query -W -f='${db:Status-Abbrev} ${Version}' "$package")" = "ii  $version"

# stat_is PATH TYPE MODE OWNER GROUP
stat_is () {
  local want="$2 $3 $4:$5" got
  got=$(stat -c '%F %a %U:%G' "$1" 2>/dev/null)
  if [ "$got" = "$want" ]; then
    ok "$1: $want"
  else
    bad "$1: want $want, got ${got:-nothing}"
  fi
}

check_installed_files () {
  stat_is /usr/bin/agent-guard "regular file" 755 root root
  stat_is /usr/bin/agent-guard-admin "regular file" 755 root root
  stat_is /etc/pam.d/agent-guard "regular file" 644 root root
  stat_is /etc/agent-guard directory 755 root root
  stat_is /etc/agent-guard/policy.conf "regular file" 644 root root
  stat_is /etc/agent-guard/policy.d directory 755 root root
  stat_is /var/lib/agent-guard directory 755 root root
  stat_is /var/lib/agent-guard/policy.d directory 2775 root "$supervisors"
}

check_installed_files
check "/etc/pam.d/agent-guard is data/pam/agent-guard" cmp -s /etc/pam.d/agent-guard data/pam/agent-guard
conffiles=$(dpkg-query -W -f='${Conffiles}' "$package")
for conffile in /etc/agent-guard/policy.conf /etc/pam.d/agent-guard; do
  check "$conffile is a conffile" grep -q "^ $conffile " <<< "$conffiles"
done
for file in /usr/share/applications/org.agentguard.AgentGuard.desktop \
  /usr/share/metainfo/org.agentguard.AgentGuard.metainfo.xml \
  /usr/share/glib-2.0/schemas/org.agentguard.AgentGuard.gschema.xml \
  /usr/share/icons/hicolor/scalable/apps/org.agentguard.AgentGuard.svg \
  /usr/share/icons/hicolor/symbolic/apps/org.agentguard.AgentGuard-symbolic.svg \
  /usr/share/locale/pt_BR/LC_MESSAGES/agent-guard.mo \
  /usr/share/doc/agent-guard/examples/policy.conf.example \
  /usr/share/man/man1/agent-guard.1.gz /usr/share/man/man1/agent-guard-admin.1.gz; do
  check "$file is installed" test -f "$file"
done
if command -v gsettings >/dev/null 2>&1; then
  check "the GSettings schema is compiled in (glib's trigger ran)" \
    sh -c 'gsettings list-schemas | grep -qx org.agentguard.AgentGuard'
fi

# check_groups: both groups exist, as system groups.
check_groups () {
  local group gid
  for group in "$supervisors" "$trainees"; do
    gid=$(getent group "$group" | cut -d: -f3)
    if [ -z "$gid" ]; then
      bad "group $group exists"
    elif [ "$gid" -lt 1000 ] || [[ " ${had_groups[*]} " == *" $group "* ]]; then
      ok "group $group exists (gid $gid)"
    else
      bad "group $group is a system group (gid $gid)"
    fi
  done
}
check_groups
gids_after_install=$(getent group "$supervisors" "$trainees")

# No setuid, setgid or file capabilities on anything the package installed (the
# supervisor folder's setgid bit is the one exception, set by the postinst).
mapfile -t owned < <(dpkg-query -L "$package")
python3 - "${owned[@]}" <<'PY' > "$tmp/privileges.txt"
import os, stat, sys
for path in sys.argv[1:]:
    try:
        st = os.lstat(path)
    except OSError:
        continue
    if stat.S_ISLNK(st.st_mode):
        continue
    if stat.S_ISREG(st.st_mode) and st.st_mode & (stat.S_ISUID | stat.S_ISGID):
        print("%s: mode %o" % (path, stat.S_IMODE(st.st_mode)))
    if stat.S_ISDIR(st.st_mode) and st.st_mode & stat.S_ISUID:
        print("%s: setuid folder" % path)
    if stat.S_ISDIR(st.st_mode) and st.st_mode & stat.S_ISGID \
            and path != "/var/lib/agent-guard/policy.d":
        print("%s: setgid folder" % path)
    try:
        os.getxattr(path, "security.capability", follow_symlinks=False)
        print("%s: file capabilities" % path)
    except OSError:
        pass
PY
check "no setuid, setgid or file capabilities in what the package installed" \
  test ! -s "$tmp/privileges.txt"
sed 's/^/    /' "$tmp/privileges.txt"

# --- The installed programs ---------------------------------------------------------------

section "agent-guard-admin, installed"
out=$(/usr/bin/agent-guard-admin --version 2>&1)
check "agent-guard-admin --version: '$out'" test "$out" = "agent-guard-admin ${version%%-*}"
out=$(/usr/bin/agent-guard-admin policy check /etc/agent-guard/policy.conf 2>&1)
rc=$?
echo "    $out"
check "agent-guard-admin policy check /etc/agent-guard/policy.conf: exit 0, OK" \
  test "$rc:$out" = "0:/etc/agent-guard/policy.conf: OK"

# The release build reads the installed layers: edit the system policy as IT would and
# write a supervisor file as a supervisor would (owned root, group-writable, in the setgid
# folder), then ask what is in force and where each value came from.
"${as_root[@]}" sed -i 's/^#idle-lock=300$/idle-lock=240/' /etc/agent-guard/policy.conf
"${as_root[@]}" sh -c "umask 002 && printf '[user:root]\nreveal-duration=15\n' \
  > /var/lib/agent-guard/policy.d/10-check-deb.conf"
check "the supervisor file took the folder's group" \
  test "$(stat -c %G /var/lib/agent-guard/policy.d/10-check-deb.conf)" = "$supervisors"

# policy_in_force: policy show --user root names the edited system file and the
# supervisor file as the sources of the two values.
policy_in_force () {
  local show rc line
  show=$(/usr/bin/agent-guard-admin policy show --user root 2>&1)
  rc=$?
  line=$(grep -n '^idle-lock=240$' /etc/agent-guard/policy.conf | cut -d: -f1)
  check "policy show: exit 0, nothing refused" test $rc -eq 0
  check "policy show: idle-lock 240 from /etc/agent-guard/policy.conf:$line" \
    grep -Eq "^idle-lock +240 +/etc/agent-guard/policy.conf:$line\$" <<< "$show"
  check "policy show: reveal-duration 15 from /var/lib/agent-guard/policy.d/10-check-deb.conf:2" \
    grep -Eq '^reveal-duration +15 +/var/lib/agent-guard/policy.d/10-check-deb.conf:2$' <<< "$show"
  [ $rc -eq 0 ] || sed 's/^/    /' <<< "$show"
}
policy_in_force
check "agent-guard-admin policy check of the edited policy.conf" \
  sh -c '/usr/bin/agent-guard-admin policy check /etc/agent-guard/policy.conf > /dev/null'

# --- 5. Reinstall and upgrade, keeping the edited policy.conf -----------------------------

# after_upgrade WHAT: the local edit, the supervisor file and the folders survived.
after_upgrade () {
  check "$1: the edited policy.conf is kept" grep -qx 'idle-lock=240' /etc/agent-guard/policy.conf
  check "$1: the supervisor file is kept" test -f /var/lib/agent-guard/policy.d/10-check-deb.conf
  check_installed_files
  check "$1: the groups are the same" \
    test "$(getent group "$supervisors" "$trainees")" = "$gids_after_install"
  policy_in_force
}

section "reinstall the same version (no terminal, --force-confdef --force-confold)"
if "${apt_root[@]}" apt-get install --reinstall "${apt_opts[@]}" "$deb" < /dev/null \
  > "$tmp/reinstall.log" 2>&1; then
  ok "apt-get install --reinstall ./$deb_name, no prompt"
else
  tail -n 30 "$tmp/reinstall.log"
  bad "apt-get install --reinstall ./$deb_name (log: $tmp/reinstall.log)"
fi
after_upgrade reinstall

# An upgrade whose policy.conf changed too: the case where dpkg would ask. The same
# package, repacked with a newer version and one more line in its policy.conf.
section "upgrade to $version+check-deb with a changed policy.conf (no terminal, --force-confdef --force-confold)"
repack="$tmp/repack"
new_version="$version+check-deb"
new_deb="$tmp/${package}_${new_version}_${arch}.deb"
dpkg-deb -R "$deb" "$repack"
sed -i "s/^Version: .*/Version: $new_version/" "$repack/DEBIAN/control"
echo "# (changed in $new_version, for the upgrade check)" >> "$repack/etc/agent-guard/policy.conf"
sum=$(cd "$repack" && md5sum etc/agent-guard/policy.conf)
sed -i "s|^[0-9a-f]*  etc/agent-guard/policy.conf\$|$sum|" "$repack/DEBIAN/md5sums"
dpkg-deb --root-owner-group -b "$repack" "$new_deb" > /dev/null
if "${apt_root[@]}" apt-get install "${apt_opts[@]}" "$new_deb" < /dev/null \
  > "$tmp/upgrade.log" 2>&1; then
  ok "apt-get install ./$(basename "$new_deb") (upgrade), no prompt"
else
  tail -n 30 "$tmp/upgrade.log"
  bad "apt-get install ./$(basename "$new_deb") (log: $tmp/upgrade.log)"
fi
check "dpkg says $package $new_version is installed" \
  test "$(dpkg-query -W -f='${db:Status-Abbrev} ${Version}' "$package")" = "ii  $new_version"
after_upgrade upgrade
check "upgrade: the new packaged policy.conf is beside it as policy.conf.dpkg-dist" \
  grep -q "changed in $new_version" /etc/agent-guard/policy.conf.dpkg-dist

# --- 6. Remove, then purge ----------------------------------------------------------------

section "dpkg --remove"
mapfile -t owned < <(dpkg-query -L "$package")
if "${as_root[@]}" dpkg --remove "$package" > "$tmp/remove.log" 2>&1; then
  ok "dpkg --remove $package"
else
  cat "$tmp/remove.log"
  bad "dpkg --remove $package"
fi
check "remove: the programs are gone" test ! -e /usr/bin/agent-guard -a ! -e /usr/bin/agent-guard-admin
check "remove: the edited policy.conf stays until the purge" grep -qx 'idle-lock=240' /etc/agent-guard/policy.conf
check "remove: the supervisor files stay until the purge" test -f /var/lib/agent-guard/policy.d/10-check-deb.conf

section "dpkg --purge"
if "${as_root[@]}" dpkg --purge "$package" > "$tmp/purge.log" 2>&1; then
  ok "dpkg --purge $package"
else
  cat "$tmp/purge.log"
  bad "dpkg --purge $package"
fi
installed_by_us=false
check "purge: dpkg no longer knows $package" \
  sh -c "! dpkg-query -W -f='\${db:Status-Abbrev}' '$package' 2>/dev/null | grep -q '^[a-z][a-z]'"
# Every path the package had: a file must be gone; a folder may stay only when another
# package owns it too (/usr/share/icons…).
left=()
for path in "${owned[@]}" /etc/agent-guard/policy.conf.dpkg-dist /var/lib/agent-guard \
  /var/lib/agent-guard/policy.d/10-check-deb.conf; do
  [ "$path" = /. ] && continue
  [ -e "$path" ] || [ -L "$path" ] || continue
  if [ -d "$path" ] && [ ! -L "$path" ] && dpkg-query -S "$path" > /dev/null 2>&1; then
    continue
  fi
  left+=("$path")
done
if [ ${#left[@]} -eq 0 ]; then
  ok "purge: nothing of the package is left (${#owned[@]} paths checked)"
else
  bad "purge: nothing of the package is left; still there: ${left[*]}"
fi
check "purge: no maintainer scripts or lists left in /var/lib/dpkg/info" \
  test -z "$(find /var/lib/dpkg/info -name "$package.*" -o -name "$package:*" 2>/dev/null)"
if command -v gsettings >/dev/null 2>&1; then
  check "purge: the GSettings schema is compiled out" \
    sh -c '! gsettings list-schemas | grep -qx org.agentguard.AgentGuard'
fi
for group in "$supervisors" "$trainees"; do
  check "purge: group $group stays" sh -c "getent group '$group' > /dev/null"
done

# --- 7. piuparts ----------------------------------------------------------------------

# In a fresh Debian chroot (debootstrap from the mirror): install with its dependencies,
# remove, purge, and compare the chroot with its state before. About 1–1.5 minutes here.
if $piuparts && ! command -v piuparts >/dev/null 2>&1; then
  bad "piuparts is installed (build-aux/install-deps.sh installs it)"
elif $piuparts; then
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  mirror=${AG_DEBIAN_MIRROR:-http://deb.debian.org/debian}
  section "piuparts ($codename from $mirror)"
  piuparts_start=$SECONDS
  # The ignored folders are made by systemd's tmpfiles when a dependency pulls systemd
  # into the chroot (libpam-systemd), and its purge leaves them: nothing of ours.
  if "${as_root[@]}" piuparts -d "$codename" -m "$mirror" -t "$tmp" \
    -i /root/.ssh/ -i /var/cache/private/ -i /var/lib/private/ -i /var/log/private/ \
    -i /var/lib/systemd/coredump/ -i /var/lib/systemd/pstore/ \
    "$deb" > "$tmp/piuparts.log" 2>&1; then
    grep -E ' (INFO|WARN)[A-Z]*: (PASS|Warning|Can.t test)' "$tmp/piuparts.log" | sed 's/^/  | /'
    ok "piuparts: install, remove, purge in a clean chroot ($((SECONDS - piuparts_start)) s)"
  else
    grep -E ' (ERROR|FAIL|WARN)' "$tmp/piuparts.log" | tail -n 20 | sed 's/^/  | /'
    tail -n 20 "$tmp/piuparts.log" | sed 's/^/  | /'
    bad "piuparts (log: $tmp/piuparts.log)"
  fi
fi

summary
[ "$failed" -eq 0 ]

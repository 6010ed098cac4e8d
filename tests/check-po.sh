#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Fails when a translation is not complete:
#  - a source file under app/, admin/ or ui/ with translatable strings (`_(`, `N_(`, `C_(`,
#    `NC_(`, or a .ui file with translatable="yes") is missing from po/POTFILES.in;
#  - after merging each language of po/LINGUAS with a .pot freshly extracted from the
#    sources, any string is untranslated or fuzzy (the msgids are printed), or msgfmt
#    --check finds an error (e.g. a format string that does not match).
# Nothing in the tree is changed. Run by `meson test` as po-complete (suite po).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ag-check-po.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

failed=0

# Prints the msgid of every entry of a .po file on stdin (multi-line msgids joined), one
# per line, skipping the header.
list_msgids () {
  awk '
    /^msgid / { inid = 1; id = substr($0, 7); next }
    /^msgid_plural / || /^msgstr/ || /^msgctxt / {
      if (inid && id != "\"\"") print "  msgid " id
      inid = 0; next
    }
    inid && /^"/ { id = (id == "\"\"") ? $0 : id " " $0 }
  '
}

# 1. Files with strings must be listed in POTFILES.in.
listed="$tmp/listed"
sed -e 's/#.*//' -e 's/[[:space:]]*$//' po/POTFILES.in | grep -v '^$' | sort -u > "$listed"

while IFS= read -r f; do
  if [ ! -f "$f" ]; then
    echo "# note: po/POTFILES.in lists $f, which does not exist (yet)"
  fi
done < "$listed"

needed="$tmp/needed"
: > "$needed"
while IFS= read -r -d '' f; do
  case "$f" in
    *.c|*.h)
      if grep -Eq '(^|[^A-Za-z0-9_])N?C?_[[:space:]]*\(' "$f"; then
        printf '%s\n' "$f" >> "$needed"
      fi ;;
    *.ui)
      if grep -q 'translatable="yes"' "$f"; then
        printf '%s\n' "$f" >> "$needed"
      fi ;;
  esac
done < <(find app admin ui \( -name '_build*' -prune \) -o -type f \
           \( -name '*.c' -o -name '*.h' -o -name '*.ui' \) -print0 2>/dev/null)
sort -u -o "$needed" "$needed"

unlisted=$(comm -23 "$needed" "$listed")
if [ -n "$unlisted" ]; then
  echo "po/POTFILES.in lacks these files with translatable strings (add them, then run"
  echo "build-aux/update-po.sh and translate the new entries):"
  printf '%s\n' "$unlisted" | sed 's/^/  /'
  failed=1
fi

# 2. Every language complete against the strings in the sources today.
pot="$tmp/agent-guard.pot"
if ! build-aux/update-po.sh --pot-only "$pot" 2> "$tmp/xgettext.err"; then
  cat "$tmp/xgettext.err" >&2
  echo "could not extract the strings (build-aux/update-po.sh --pot-only failed)"
  exit 1
fi

for lang in $(sed -e 's/#.*//' po/LINGUAS); do
  po="po/$lang.po"
  merged="$tmp/$lang.po"
  if [ ! -f "$po" ]; then
    echo "$po: missing (po/LINGUAS lists $lang)"
    failed=1
    continue
  fi
  msgmerge --quiet --no-fuzzy-matching -o "$merged" "$po" "$pot"

  if ! stats=$(msgfmt --check --statistics -o /dev/null "$merged" 2>&1); then
    echo "$po: msgfmt --check fails:"
    printf '%s\n' "$stats" | sed "s|$merged|$po (merged with the sources)|g"
    failed=1
    continue
  fi
  echo "# $lang: $stats"

  untranslated=$(msgattrib --untranslated --no-obsolete "$merged" | list_msgids)
  fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$merged" | list_msgids)
  if [ -n "$untranslated" ] || [[ "$stats" == *untranslated* ]]; then
    echo "$po: untranslated strings (run build-aux/update-po.sh and translate them):"
    printf '%s\n' "$untranslated"
    failed=1
  fi
  if [ -n "$fuzzy" ] || [[ "$stats" == *fuzzy* ]]; then
    echo "$po: fuzzy strings (check the translation, then remove the fuzzy flag):"
    printf '%s\n' "$fuzzy"
    failed=1
  fi
done

# 3. pt_BR in the window: "e-mail" never breaks at its hyphen (a word joiner, U+2060,
#    follows it, so a plain "e-mail" with nothing between the hyphen and "mail" is one that
#    can break; the CLI's strings keep the plain word).
broken=$(msggrep -N 'ui/*' po/pt_BR.po | msgattrib --no-obsolete | sed -n '/^msgstr/,/^$/p' \
  | grep -i 'e-mail' || true)
if [ -n "$broken" ]; then
  echo "po/pt_BR.po: \"e-mail\" can break at its hyphen in these window strings (write e-\\u2060mail):"
  printf '%s\n' "$broken"
  failed=1
fi

if [ $failed -ne 0 ]; then
  exit 1
fi
echo "translations complete: $(sed -e 's/#.*//' po/LINGUAS | xargs)"

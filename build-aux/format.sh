#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Formats the C sources of app/, admin/, ui/ and tests/ with clang-format 14 and the repository's
# .clang-format, then undoes the one thing clang-format gets wrong for us: it writes the
# gettext macros as `_ ("…")`; STYLE.md wants `_("…")` (also N_, C_, NC_).
#   build-aux/format.sh           rewrite the files in place
#   build-aux/format.sh --check   change nothing; print a diff of every file that is not
#                                 formatted and exit 1 if there is one
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

check=false
case "${1:-}" in
  --check) check=true ;;
  '') ;;
  -h|--help) sed -n '4,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "format.sh: unknown option '$1' (use --check or nothing)" >&2; exit 2 ;;
esac

clang_format=
for cand in clang-format-14 clang-format; do
  if command -v "$cand" >/dev/null 2>&1; then
    clang_format=$cand
    break
  fi
done
if [ -z "$clang_format" ]; then
  echo "format.sh: clang-format not found (build-aux/install-deps.sh installs it)" >&2
  exit 1
fi
if ! "$clang_format" --version | grep -q 'version 14\.'; then
  echo "format.sh: warning: $("$clang_format" --version) is not clang-format 14;" \
    "its output may differ from CI's" >&2
fi

# Every *.c and *.h under app/, admin/, ui/, tests/, NUL-separated, without build trees or
# anything that is not a regular file. Sorted for a stable report.
files=()
while IFS= read -r -d '' f; do
  files+=("$f")
done < <(find app admin ui tests \
           \( -name '_build*' -o -name 'build' -o -name 'build-*' -o -name '.git' \) -prune \
           -o -type f \( -name '*.c' -o -name '*.h' \) -print0 2>/dev/null | sort -z)

if [ ${#files[@]} -eq 0 ]; then
  echo "format.sh: no C files under app/, admin/, ui/ or tests/"
  exit 0
fi

tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/ag-format.XXXXXX")
trap 'rm -rf "$tmpdir"' EXIT

# The `_ (` fix-up: only where the macro name is a whole word (not foo_ (x)).
fixup () {
  sed -E 's/(^|[^A-Za-z0-9_])(N?C?_) \(/\1\2(/g'
}

bad=0
for f in "${files[@]}"; do
  out="$tmpdir/out"
  # --assume-filename makes clang-format find the repository's .clang-format for stdin.
  if ! "$clang_format" --style=file --assume-filename="$f" < "$f" | fixup > "$out"; then
    echo "format.sh: clang-format failed on $f" >&2
    exit 1
  fi
  if cmp -s "$f" "$out"; then
    continue
  fi
  if $check; then
    bad=$((bad + 1))
    echo "format.sh: $f is not formatted:"
    diff -u --label "a/$f" --label "b/$f" "$f" "$out" || true
  else
    # Keep the file's inode and mode: write through it.
    cat "$out" > "$f"
    echo "formatted $f"
  fi
done

if $check; then
  if [ $bad -gt 0 ]; then
    echo "format.sh: $bad of ${#files[@]} file(s) need formatting; run build-aux/format.sh" >&2
    exit 1
  fi
  echo "format.sh: all ${#files[@]} C files are formatted."
fi

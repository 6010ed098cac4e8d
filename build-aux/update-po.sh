#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Extracts the translatable strings into po/agent-guard.pot and merges them into every
# language of po/LINGUAS. New strings then show up untranslated in po/pt_BR.po: translate
# them before committing (tests/check-po.sh fails otherwise).
#   build-aux/update-po.sh [--pot-only OUTPUT.pot]
set -eu
cd "$(dirname "$0")/.."

pot=po/agent-guard.pot
if [ "${1:-}" = "--pot-only" ]; then
  pot=$2
fi

list=$(mktemp)
trap 'rm -f "$list"' EXIT
grep -v '^#' po/POTFILES.in | grep -v '^$' | while read -r f; do
  if [ -f "$f" ]; then echo "$f"; fi
done > "$list"

xgettext --files-from="$list" --directory=. --from-code=UTF-8 \
  --package-name=agent-guard \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dngettext:2,3 --keyword=ngettext:1,2 --add-comments=Translators \
  --output="$pot"

# The training scenarios (data/training/*.scenario, GKeyFile): their shown keys, read with
# xgettext's Desktop parser. Keep this list in step with app/ag-training-parse.c.
keywords="-k -kTitle -kTask -kCaller -kText -kExplain -kRule"
for kind in name cpf cnpj rg birth-date phone email address card-number bank-account pix-key notes; do
  keywords="$keywords -kUnneeded-$kind"
done
# shellcheck disable=SC2086
xgettext --language=Desktop $keywords --from-code=UTF-8 --add-comments=Translators \
  --join-existing --output="$pot" data/training/*.scenario

if [ "${1:-}" = "--pot-only" ]; then
  exit 0
fi

for lang in $(cat po/LINGUAS); do
  msgmerge --quiet --update --no-fuzzy-matching --backup=none "po/$lang.po" "$pot"
done
msgfmt --check --statistics -o /dev/null po/pt_BR.po

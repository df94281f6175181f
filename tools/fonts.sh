#!/usr/bin/env bash
# Remake templates/static/fonts/ from Debian's fonts-noto-core: Noto Sans (4 static styles) and
# Noto Sans Arabic (regular, bold), subset to the scripts the notices use and stored as WOFF2,
# which both WeasyPrint and browsers read. Run from the project root with the venv active (or
# PYFTSUBSET set); the result is committed, so builds never depend on the fonts of the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE=fonts-noto-core=20201225-1
PYFTSUBSET=${PYFTSUBSET:-.venv/bin/pyftsubset}
OUT=templates/static/fonts
# Every Latin and Cyrillic letter of the project's languages, prepared ones included (tests/
# test_glyphs.py checks them against CLDR's exemplars): German, English, Turkish (ğ ı İ ş), Polish
# (ą ć ę ł ń ś ź ż), Romanian (ș ț with comma below, and the cedilla ş ţ of pasted text; the font's
# ROM locl is kept), Albanian (ë ç), Kurmanji (ê î û ç ş), Ukrainian, Russian, Bulgarian (Cyrillic
# U+0400-04FF; Noto Sans has no Bulgarian locl, so the standard forms are drawn); capital ẞ,
# punctuation and quotation marks of every language incl. U+2010 (the hyphen WeasyPrint inserts),
# super/subscripts, currencies (€ ₺ ₴ ₽ лв zł lei), letterlike (№), f-ligatures
LATIN="U+0000-024F,U+0259,U+02B0-02FF,U+0300-036F,U+0400-04FF,U+1E9E,U+2000-206F,U+2070-209F,U+20A0-20CF,U+2100-214F,U+2190-21FF,U+2200-22FF,U+25A0-25FF,U+FB00-FB06,U+FEFF,U+FFFD"
# Arabic, its supplements and presentation forms, bidi marks. U+0600-06FF holds Persian too:
# پ چ ژ گ ک ی, the Extended Arabic-Indic digits ۰-۹ (U+06F0-06F9), ، ؛ ؟ and the decimal and
# thousands separators ٫ ٬; U+200C is the zero-width non-joiner Persian needs. Latin marks and
# quotation marks an Arabic-script page uses (‹ › „) come from Noto Sans, next in the font stack.
ARABIC="U+0000-00FF,U+0600-06FF,U+0750-077F,U+08A0-08FF,U+200C-200F,U+2010-2027,U+FB50-FDFF,U+FE70-FEFF"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -q "$PACKAGE" >/dev/null && dpkg -x fonts-noto-core_*.deb root)
src=$work/root/usr/share/fonts/truetype/noto
mkdir -p "$OUT"
export SOURCE_DATE_EPOCH=0  # fontTools would stamp the current time into head.modified
subset() {  # subset NAME UNICODES
  "$PYFTSUBSET" "$src/$1.ttf" --unicodes="$2" --layout-features='*' --name-IDs='*' \
    --name-languages='*' --notdef-outline --drop-tables+=DSIG --no-hinting --flavor=woff2 \
    --output-file="$OUT/$1.woff2"
}
for style in Regular Bold Italic BoldItalic; do subset "NotoSans-$style" "$LATIN"; done
for style in Regular Bold; do subset "NotoSansArabic-$style" "$ARABIC"; done

# The licence as Debian ships it (copyright file, DEP-5), unwrapped into a plain text file.
{
  echo "Noto Sans and Noto Sans Arabic"
  echo "Copyright 2015-2020 Google LLC. All Rights Reserved."
  echo "Noto is a trademark of Google LLC."
  echo
  echo "This Font Software is licensed under the SIL Open Font License, Version 1.1."
  echo "This license is copied below, and is also available with a FAQ at:"
  echo "https://openfontlicense.org"
  echo
  echo "SIL OPEN FONT LICENSE Version 1.1 - 26 February 2007"
  echo
  awk '/^License: OFL-1.1$/ {n++; next} n == 3 && /^ / {print} n == 3 && /^[^ ]/ {exit}' \
    "$work/root/usr/share/doc/fonts-noto-core/copyright" | sed -e 's/^ //' -e 's/^\.$//'
} >"$OUT/OFL.txt"
ls -l "$OUT"

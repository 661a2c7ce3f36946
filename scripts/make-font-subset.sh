#!/usr/bin/env bash
# Makes crates/documents/fonts/wqy-microhei-gb2312.ttf, the Chinese font that the documents
# crate embeds (include_bytes!) and subsets again per PDF.
#
# Source: WenQuanYi Micro Hei 0.2.0-beta (Debian package fonts-wqy-microhei), face 0 of
# /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ("WenQuanYi Micro Hei"; face 1 is the Mono
# variant). Licence: Apache-2.0 or GPL-3+ with font exception; we use it under Apache-2.0
# (crates/documents/fonts/LICENSE-wqy-microhei.txt).
#
# Kept: every character of GB 2312 (symbols, level-1 and level-2 hanzi), printable ASCII,
# CJK symbols and punctuation (U+3000–303F), general punctuation (U+2010–206F), full-width
# forms (U+FF00–FFEF), Latin-1 letters and signs, and the extra characters listed in
# crates/documents/fonts/extra-chars.txt (name characters outside GB 2312). Hinting and
# OpenType layout tables are dropped: the PDFs are printed, and the engine places glyphs by
# advance width only.
#
# Needs python3 with fontTools: the system's if present (Debian: python3-fonttools),
# otherwise a throw-away virtual environment with fonttools from PyPI. This is a developer
# script; the build and the program never run it nor download anything.
#
#   scripts/make-font-subset.sh [path/to/wqy-microhei.ttc]
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-/usr/share/fonts/truetype/wqy/wqy-microhei.ttc}
out=crates/documents/fonts/wqy-microhei-gb2312.ttf
extra=crates/documents/fonts/extra-chars.txt

if [ ! -f "$src" ]; then
  echo "no $src: install the Debian package fonts-wqy-microhei or pass the .ttc path" >&2
  exit 1
fi

py=python3
if ! python3 -c 'import fontTools.subset' 2>/dev/null; then
  venv=${TMPDIR:-/tmp}/shijian-fonttools-venv
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import fontTools.subset' 2>/dev/null; then
    echo "== fontTools not installed: making $venv with fonttools from PyPI"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q fonttools
  fi
  py=$venv/bin/python
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The character list: GB 2312 decoded row by row (rows 1–9 symbols, 16–55 level 1, 56–87
# level 2), then ASCII, punctuation blocks and the extra list.
"$py" - "$extra" >"$work/chars.txt" <<'PY'
import sys
chars = set()
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            chars.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
for lo, hi in [(0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x206F), (0x3000, 0x303F), (0xFF00, 0xFFEF)]:
    chars.update(chr(c) for c in range(lo, hi + 1))
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        if line.startswith("#"):
            continue
        chars.update(c for c in line.strip() if not c.isspace())
sys.stdout.write("".join(sorted(chars)))
PY

"$py" -m fontTools.subset "$src" \
  --font-number=0 \
  --text-file="$work/chars.txt" \
  --no-hinting \
  --layout-features= \
  --drop-tables+=DSIG,GSUB,GPOS,GDEF,gasp \
  --name-IDs='*' --name-languages='*' --name-legacy \
  --notdef-outline \
  --output-file="$out"

"$py" - "$out" "$work/chars.txt" <<'PY'
import sys
from fontTools.ttLib import TTFont
font = TTFont(sys.argv[1])
cmap = font.getBestCmap()
wanted = open(sys.argv[2], encoding="utf-8").read()
missing = [c for c in wanted if ord(c) not in cmap and c.isprintable() and not c.isspace()]
print(f"{sys.argv[1]}: {len(cmap)} characters, {font['maxp'].numGlyphs} glyphs; "
      f"{len(missing)} wanted characters not in the source font")
PY
ls -l "$out"

#!/usr/bin/env bash
# Batch-validation benchmark: `shijian validate uscc FILE` over generated lines.
#
#   bench/validate.sh [LINES]        (default 1000000)
#
# Builds the release binary (reusing an existing build; honours CARGO_TARGET_DIR),
# generates LINES unified social credit codes with python3 (mostly valid, every 10th with
# a wrong check character, every 10th lower-case, every 100th line empty), then times the
# run with the report sent to /dev/null and prints lines/second and the maximum RSS.
# The time includes opening a fresh database in a temporary data directory.
set -euo pipefail

LINES="${1:-1000000}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET_DIR/release/shijian"

cd "$ROOT"
echo "== building (cargo build --release -p shijian)" >&2
cargo build --release -p shijian >&2

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
INPUT="$WORK/uscc.txt"

echo "== generating $LINES lines" >&2
python3 - "$LINES" "$INPUT" <<'PY'
import sys

# GB 32100-2015 check character (docs: ../shared/reference/codes-and-calendar.md §1.2)
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]
# GB 11714 check character of the embedded organisation code (§1.3)
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def uscc_check(first17):
    s = sum(VALUE[c] * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - s % 31) % 31]


def org_check(body8):
    s = sum(int(c, 36) * w for c, w in zip(body8, ORG_WEIGHTS))
    c = 11 - s % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w", encoding="ascii", newline="\n") as out:
    for i in range(n):
        if i % 100 == 99:
            out.write("\n")
            continue
        body = "%08d" % (i * 7 % 100_000_000)
        first17 = "91420802" + body + org_check(body)
        check = uscc_check(first17)
        if i % 10 == 3:  # wrong check character
            check = ALPHABET[(VALUE[check] + 1) % 31]
        line = first17 + check
        if i % 10 == 7:  # lower case: valid, with a warning
            line = line.lower()
        out.write(line + "\n")
PY
echo "== input: $(wc -l < "$INPUT") lines, $(wc -c < "$INPUT") bytes; $(nproc) cores" >&2

# A private, empty data directory: the command opens the database (for the division table).
DATA="$WORK/data"
echo "== timing: $BIN --data-dir $DATA validate uscc $INPUT > /dev/null" >&2
TIMES="$WORK/time.txt"
start=$(date +%s.%N)
if [ -x /usr/bin/time ]; then
    /usr/bin/time -v -o "$TIMES" "$BIN" --data-dir "$DATA" validate uscc "$INPUT" > /dev/null
else
    "$BIN" --data-dir "$DATA" validate uscc "$INPUT" > /dev/null
fi
end=$(date +%s.%N)

python3 - "$LINES" "$start" "$end" "$TIMES" <<'PY'
import os, sys

lines, start, end, times = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
secs = end - start
print(f"lines:       {lines}")
print(f"wall time:   {secs:.3f} s")
print(f"throughput:  {lines / secs:,.0f} lines/s")
if os.path.exists(times):
    for row in open(times):
        row = row.strip()
        if row.startswith("Maximum resident set size"):
            kib = int(row.rsplit(":", 1)[1])
            print(f"max RSS:     {kib} KiB ({kib / 1024:.1f} MiB)")
        elif row.startswith(("User time", "System time", "Elapsed")):
            print("             " + row)
PY

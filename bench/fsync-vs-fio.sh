#!/usr/bin/env bash
# The six modes of `cask bench fsync` beside fio's, on the same directory, in the same run, alternating
# cask and fio per round (3 rounds, medians), with the ratio cask/fio. Goal: every row within +-15%.
#   bench/fsync-vs-fio.sh [DIR] [RECORDS]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${1:-$PWD}
N=${2:-10000}
command -v fio >/dev/null || { echo "fio is missing: apt-get install -y fio" >&2; exit 1; }
WORK=$(mktemp -d "$DIR/fsync-vs-fio.XXXX")
trap 'rm -rf "$WORK"' EXIT
SIZE=$((N * 4))k
declare -A FIO=(
  ["no fsync"]="--fsync=0"
  ["fsync per record"]="--fsync=1"
  ["fsync per 10 records"]="--fsync=10"
  ["fsync per 100 records"]="--fsync=100"
  ["O_SYNC"]="--sync=sync"
  ["fdatasync per record"]="--fdatasync=1"
)
ORDER=("no fsync" "fsync per record" "fsync per 10 records" "fsync per 100 records" "O_SYNC" "fdatasync per record")
for round in 1 2 3; do
  "$ROOT/cask" bench fsync --dir "$WORK" --records "$N" --no-engine --json >"$WORK/cask$round.json" 2>/dev/null
  for mode in "${ORDER[@]}"; do
    rm -f "$WORK"/f.*; sync
    fio --name=f --directory="$WORK" --rw=write --bs=4k --size="$SIZE" --ioengine=sync ${FIO[$mode]} --create_on_open=1 \
      --output-format=json >"$WORK/fio-$round-${mode// /_}.json" 2>/dev/null
  done
done
python3 - "$WORK" "${ORDER[@]}" <<'PY'
import json, statistics, sys
work, modes = sys.argv[1], sys.argv[2:]
ours = {}
for r in (1, 2, 3):
    for row in json.load(open(f"{work}/cask{r}.json"))["rows"]:
        ours.setdefault(row["mode"], []).append(row["recordsPerSec"])
print(f"{'mode':<24} {'cask rec/s':>12} {'fio rec/s':>12} {'cask/fio':>9}")
worst = 0
for m in modes:
    fio = statistics.median(json.load(open(f"{work}/fio-{r}-{m.replace(' ', '_')}.json"))["jobs"][0]["write"]["iops"] for r in (1, 2, 3))
    c = statistics.median(ours[m])
    worst = max(worst, abs(c / fio - 1))
    print(f"{m:<24} {c:>12,.0f} {fio:>12,.0f} {c / fio:>9.2f}")
print(f"worst deviation {worst:.0%} (goal: within 15%)")
PY

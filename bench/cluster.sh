#!/usr/bin/env bash
# cask serve behind nutcracker (twemproxy), side by side in one run: redis-benchmark -t set,get
# against one node directly, then through the proxy with 1, 2 and 4 nodes (`cask cluster up`),
# alternating the layouts round by round, then a table of requests/s.
#   bench/cluster.sh [N] [ROUNDS]      (defaults 200000 and 2)
# Lines: -c 50, and -c 50 -P 16; all with -r 100000.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${1:-200000}
ROUNDS=${2:-2}
command -v redis-benchmark >/dev/null || { echo "redis-benchmark is missing: sudo apt-get install -y redis-tools" >&2; exit 1; }
command -v nutcracker >/dev/null || [ -x /usr/sbin/nutcracker ] || { echo "nutcracker is missing: sudo apt-get install -y nutcracker" >&2; exit 1; }
"$ROOT/cask" --help >/dev/null # builds the jar if needed, before anything is timed
WORK=$(mktemp -d /tmp/cask-cluster-bench.XXXX)
UP_PID=
cleanup() { [ -n "$UP_PID" ] && kill "$UP_PID" 2>/dev/null && wait "$UP_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
PROXY=23121
LINES=("-c 50" "-c 50 -P 16")
RESULTS="$WORK/results.csv"
echo "layout,line,round,test,rps" >"$RESULTS"

start() { # $1 = layout: direct | proxy-N
  rm -rf "$WORK/c"
  if [ "$1" = direct ]; then
    "$ROOT/cask" --dir "$WORK/c" serve --port $PROXY >/dev/null 2>&1 &
  else
    "$ROOT/cask" cluster up --nodes "${1#proxy-}" --proxy-port $PROXY --dir "$WORK/c" >/dev/null 2>"$WORK/up.err" &
  fi
  UP_PID=$!
  for _ in $(seq 1 600); do [ "$(redis-cli -p $PROXY ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
  redis-benchmark -p $PROXY -t set,get -n $((N / 4)) -r 100000 -c 50 -P 16 -q >/dev/null 2>&1 # warm-up, not counted
}

stop() { kill "$UP_PID"; wait "$UP_PID" 2>/dev/null || true; UP_PID=; }

for round in $(seq 1 "$ROUNDS"); do
  for layout in direct proxy-1 proxy-2 proxy-4; do
    start $layout
    for line in "${LINES[@]}"; do
      # shellcheck disable=SC2086 # the line's words are redis-benchmark's arguments
      redis-benchmark -p $PROXY -t set,get -n "$N" -r 100000 $line --csv 2>/dev/null | tail -n +2 | tr -d '"' |
        awk -F, -v a=$layout -v l="$line" -v r="$round" '{print a "," l "," r "," $1 "," $2}' >>"$RESULTS"
    done
    stop
  done
done
python3 - "$RESULTS" <<'PY'
import csv, sys, statistics
rows = list(csv.DictReader(open(sys.argv[1])))
keys = []
for r in rows:
    k = (r["line"], r["test"])
    if k not in keys: keys.append(k)
layouts = ["direct", "proxy-1", "proxy-2", "proxy-4"]
print(f"{'line':14} {'test':5} " + " ".join(f"{l:>10}" for l in layouts) + "   (requests/s)")
for k in keys:
    cells = []
    for l in layouts:
        v = [float(r["rps"]) for r in rows if (r["line"], r["test"]) == k and r["layout"] == l]
        cells.append(f"{statistics.mean(v):10.0f}" if v else f"{'-':>10}")
    print(f"{k[0]:14} {k[1]:5} " + " ".join(cells))
PY

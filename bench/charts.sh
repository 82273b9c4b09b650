#!/usr/bin/env bash
# Measures and draws the charts docs/ shows, one command each; the raw figures go to docs/charts/data, the PNGs to docs/charts.
#   bench/charts.sh merge     put latency over time through merges  (cask bench merge --latency-log: an HdrHistogram log)
#   bench/charts.sh fsync     the fsync cost table as bars           (cask bench fsync --json)
#   bench/charts.sh redis     cask/redis per redis-benchmark line    (bench/resp-vs-redis.sh with TSV=: about 15 minutes)
#   bench/charts.sh crash     states after a crash, per mode          (cask crashsim --reorder --format json)
#   bench/charts.sh all       each of the above
# DRAW_ONLY=1 redraws from the raw figures already in docs/charts/data, measuring nothing.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA="$ROOT/docs/charts/data"
OUT="$ROOT/docs/charts"
mkdir -p "$DATA"
CASK="$ROOT/cask"
chart() { # $1 = name
  case "$1" in
    merge)
      [ -n "${DRAW_ONLY:-}" ] || "$CASK" bench merge --keys 300000 --rounds 3 --latency-log "$DATA/merge-latency.hlog" --json > "$DATA/merge.json"
      "$CASK" chart merge-latency "$DATA/merge-latency.hlog" "$OUT/merge-latency.png" ;;
    fsync)
      [ -n "${DRAW_ONLY:-}" ] || "$CASK" bench fsync --json > "$DATA/fsync.json"
      "$CASK" chart fsync "$DATA/fsync.json" "$OUT/fsync.png" ;;
    redis)
      [ -n "${DRAW_ONLY:-}" ] || TSV="$DATA/resp-vs-redis.tsv" "$ROOT/bench/resp-vs-redis.sh" 200000 2
      "$CASK" chart redis "$DATA/resp-vs-redis.tsv" "$OUT/resp-vs-redis.png" ;;
    crash)
      [ -n "${DRAW_ONLY:-}" ] || "$CASK" crashsim --reorder --format json > "$DATA/crashsim.json"
      "$CASK" chart crash "$DATA/crashsim.json" "$OUT/crash-states.png" ;;
    *) echo "unknown chart '$1': merge, fsync, redis, crash or all" >&2; exit 2 ;;
  esac
}
if [ "${1:-}" = all ]; then for c in merge fsync crash redis; do chart "$c"; done; else chart "${1:?usage: bench/charts.sh merge|fsync|redis|crash|all}"; fi

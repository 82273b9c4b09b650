#!/usr/bin/env bash
# Side by side, in one run, alternating A B A B: the engine's put/get (JMH), open and merge,
# for two builds of Cask. Each argument is a checkout that was built with ./mvnw package.
#   bench/compare-jars.sh /tmp/old /work/main > compare.txt
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/jdk.sh"
A=$1
B=$2
ROUNDS=${ROUNDS:-2}
SCRATCH=$(mktemp -d "$PWD/compare-jars.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
for round in $(seq 1 "$ROUNDS"); do
  for build in "$A" "$B"; do
    echo "== round $round, $build"
    "$JAVA_HOME/bin/java" -jar "$build/cask-bench/target/benchmarks.jar" PutGetBenchmark -p valueSize=100 -wi 1 -w 3s -i 3 -r 3s -f 1 \
      -rf json -rff "$SCRATCH/jmh.json" > /dev/null
    python3 - "$SCRATCH/jmh.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1])):
    print(f"jmh {r['benchmark'].rsplit('.', 1)[1]:12s} {r['primaryMetric']['score']:12,.0f} ops/s  ±{r['primaryMetric']['scoreError']:,.0f}")
PY
    "$JAVA_HOME/bin/java" -jar "$build/cask-cli/target/cask.jar" bench open --keys 1000000 --dir "$SCRATCH" --json | sed 's/^/open /'
    "$JAVA_HOME/bin/java" -jar "$build/cask-cli/target/cask.jar" bench merge --rounds 1 --dir "$SCRATCH" --json | sed 's/^/merge /'
  done
done

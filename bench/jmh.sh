#!/usr/bin/env bash
# Builds and runs the JMH benchmarks (not part of ./test). Arguments go to JMH, e.g.:
#   bench/jmh.sh PutGetBenchmark          bench/jmh.sh GroupCommitBenchmark -rf json
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/jdk.sh"
cd "$ROOT"
./mvnw -q -B -DskipTests -pl cask-bench -am package >&2
exec "$JAVA_HOME/bin/java" -jar cask-bench/target/benchmarks.jar "$@"

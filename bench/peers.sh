#!/usr/bin/env bash
# Cask against RocksDB, LMDB and H2 MVStore in one run, one engine at a time in one JVM, on the
# real disk (cask-peers/target/peers-data). Not part of ./test. Arguments go to PeersBenchmark:
#   bench/peers.sh [--keys N] [--seconds S] [--engines cask,rocksdb,lmdb,h2] [--json FILE]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/jdk.sh"
cd "$ROOT"
./mvnw -q -B -DskipTests -pl cask-peers -am install >&2
CP_FILE="$ROOT/cask-peers/target/classpath.txt"
./mvnw -q -B -pl cask-peers dependency:build-classpath -Dmdep.outputFile="$CP_FILE" >&2
exec "$JAVA_HOME/bin/java" -Xmx4g --enable-native-access=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
  --add-opens java.base/java.nio=ALL-UNNAMED -cp "cask-peers/target/classes:$(cat "$CP_FILE")" dev.cask.peers.PeersBenchmark "$@"

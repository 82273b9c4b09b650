#!/usr/bin/env bash
# A hash, a list and a set of 1 KiB values (set members of 1 KiB), filled until they hold more than the memory each server is
# given: redis-server with --maxmemory M (noeviction, persistence off) against `cask serve` under
# -XmxM --sync none, the same client (redis-py, pipelined 100 elements a command) against each.
# Prints, per server and type, how many elements it took before the first error and the bytes of
# values they hold (redis-server is emptied before each type; Cask keeps all three); then restarts
# Cask under the same heap and reads every value back.
#   bench/bigger-than-heap.sh [ELEMENTS] [MEMORY_MIB]      (defaults 250000 and 96)
# Needs redis-server and Debian's python3-redis (/usr/bin/python3).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ELEMENTS=${1:-250000}
MIB=${2:-96}
command -v redis-server >/dev/null || { echo "redis-server is missing: sudo apt-get install -y redis-server" >&2; exit 1; }
/usr/bin/python3 -c 'import redis' 2>/dev/null || { echo "redis-py is missing: sudo apt-get install -y python3-redis" >&2; exit 1; }
"$ROOT/cask" --help >/dev/null # builds the jar if needed
WORK=$(mktemp -d /tmp/bigger-than-heap.XXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
wait_port() { for _ in $(seq 1 300); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "port $1 never answered" >&2; exit 1; }
cat > "$WORK/client.py" <<'PY'
# fill PORT LABEL N: fills a hash, a list and a set, one line per type; check PORT N: reads every value back
import sys, redis
mode, port = sys.argv[1], int(sys.argv[2])
r = redis.Redis(port=port)
def value(kind, i):
    stamp = f"{kind}:{i};"
    return (stamp * (1024 // len(stamp) + 1))[:1024]
if mode == "fill":
    label, n = sys.argv[3], int(sys.argv[4])
    for kind in ("hash", "list", "set"):
        if label.startswith("redis"):
            r.flushall()  # each type gets the whole of redis's memory; Cask keeps all three
        held, error = 0, "none"
        for start in range(0, n, 100):
            p = r.pipeline(transaction=False)
            if kind == "hash":
                p.hset("big:hash", mapping={f"f{i}": value("h", i) for i in range(start, min(n, start + 100))})
            elif kind == "list":
                p.rpush("big:list", *[value("l", i) for i in range(start, min(n, start + 100))])
            else:
                p.sadd("big:set", *[value("s", i) for i in range(start, min(n, start + 100))])
            try:
                p.execute()
            except redis.exceptions.ResponseError as e:
                text = str(e)
                error = text[text.index("OOM"):][:60] if "OOM" in text else text[:60]
                break
            except redis.exceptions.ConnectionError as e:
                error = "connection lost: " + str(e)[:40]
                break
            held = min(n, start + 100)
        print(f"{label}\t{kind}\t{held}\t{held * 1024 / 2**20:.0f} MiB of values\tfirst error: {error}")
else:
    n = int(sys.argv[3])
    bad = 0
    for start in range(0, n, 100):
        got = r.lrange("big:list", start, start + 99)
        bad += sum(1 for k, v in enumerate(got) if v != value("l", start + k).encode()) + (min(100, n - start) - len(got))
    fields = 0
    for name, v in r.hscan_iter("big:hash", count=100):
        fields += 1
        if v != value("h", int(name[1:])).encode(): bad += 1
    members = set(r.sscan_iter("big:set", count=100))
    bad += sum(1 for i in range(n) if value("s", i).encode() not in members)
    print(f"cask after a restart under the same heap: {r.llen('big:list')} list elements, {fields} hash fields and {len(members)} set members read back, {bad} wrong or missing")
PY
fill() { /usr/bin/python3 "$WORK/client.py" fill "$1" "$2" "$ELEMENTS"; } # $1 port, $2 label
mkdir -p "$WORK/redis"
redis-server --port 16391 --dir "$WORK/redis" --save "" --appendonly no --maxmemory "${MIB}mb" --maxmemory-policy noeviction --daemonize no --loglevel warning >/dev/null &
PIDS+=($!)
wait_port 16391
fill 16391 "redis-server --maxmemory ${MIB}mb"
CASK_JAVA_OPTS="-Xmx${MIB}m" "$ROOT/cask" --dir "$WORK/cask" --sync none serve --port 16392 >/dev/null 2>&1 &
PIDS+=($!)
wait_port 16392
fill 16392 "cask serve -Xmx${MIB}m"
redis-cli -p 16392 shutdown >/dev/null 2>&1 || true
sleep 1
CASK_JAVA_OPTS="-Xmx${MIB}m" "$ROOT/cask" --dir "$WORK/cask" --sync none serve --port 16393 >/dev/null 2>&1 &
PIDS+=($!)
wait_port 16393
/usr/bin/python3 "$WORK/client.py" check 16393 "$ELEMENTS"
echo "disk: $(du -sm "$WORK/cask" | cut -f1) MiB in $WORK/cask"

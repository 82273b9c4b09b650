#!/usr/bin/env bash
# redis-server against `cask serve`, side by side in one run: the same redis-benchmark lines against
# each, alternating A B A B, then a table of requests/s with the ratio cask/redis.
#   pair "none":   redis-server with persistence off     vs  cask serve --sync none
#   pair "always": redis-server --appendfsync always      vs  cask serve --sync always
# Lines: -t set,get -n N -c 50, the same with -P 16, with -c 1000, with -d 4096; all with -r 100000.
# Each pair starts fresh and gets one uncounted warm-up pass (-P 16) against both servers first,
# and each line an uncounted pass of N/10 of its own shape (cask's first unpipelined SETs after
# the pipelined warm-up ran at 62k a second for 4 s, then 94k: the JIT compiling that path).
# Before each counted run the script waits until neither server has background work left from the
# lines before (cask: INFO merge_in_progress:0, its automatic merge; redis: no AOF rewrite or RDB
# save in progress), so that a line measures its own commands, not the compaction an earlier line
# left behind; each wait is printed, and counted at the end.
# Then, for pair "none", every string and key command redis-benchmark can drive, one line each
# (-c 50, N/2 requests, keys from -r 100000): INCR and MSET (its -t tests) and the COMMANDS below,
# each after an uncounted pass of N/10 against both servers (as the other sections warm up).
# MULTI/EXEC, which redis-benchmark cannot send (one command per request), is driven by
# `cask bench tx` (50 clients, each MULTI SET INCR EXEC in one write, every reply checked), after
# an uncounted 3 s warm-up against both servers.
# Then, for every pair, redis-benchmark's own collection tests (-t lpush,rpush,lpop,rpop,sadd,hset,
# spop,zadd,zpopmin,lrange_100,lrange_300, -c 50, N/2 requests, -r 100000): goal >= 0.7 on each.
#   bench/resp-vs-redis.sh [N] [ROUNDS]      (defaults 200000 and 2)
#   SECTIONS="strings commands collections" (the default) picks which parts run.
#   COLLECTION_TESTS=lpush,lrange_300 runs some of the collection tests only.
#   RAW=file.csv keeps every round's figures (pair, line, server, round, test, rps).
#   TSV=FILE also writes the table (means of the rounds) as tab-separated raw figures: cask chart redis FILE OUT.png draws it.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${1:-200000}
ROUNDS=${2:-2}
PAIRS=${PAIRS:-"none always"}
SECTIONS=${SECTIONS:-"strings commands collections"}
COLLECTION_TESTS=${COLLECTION_TESTS:-lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,lrange_300}
if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server redis-tools >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server redis-tools >/dev/null; }
    systemctl disable --now redis-server >/dev/null 2>&1 || service redis-server stop >/dev/null 2>&1 || true
  else
    echo "redis-server is missing: sudo apt-get install -y redis-server redis-tools" >&2
    exit 1
  fi
fi
"$ROOT/cask" --help >/dev/null # builds the jar if needed, before anything is timed
WORK=$(mktemp -d /tmp/resp-vs-redis.XXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true
  if [ -n "${RAW:-}" ] && [ -f "$WORK/results.csv" ]; then cp "$WORK/results.csv" "$RAW"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
REDIS_PORT=16379
CASK_PORT=16380
LINES=("-c 50" "-c 50 -P 16" "-c 1000" "-c 50 -d 4096")
COMMANDS=("SETNX key:__rand_int__ v" "SETEX key:__rand_int__ 100 v" "GETSET key:__rand_int__ v" "GETEX key:__rand_int__ EX 100"
  "MSETNX nx:__rand_int__ v nx2:__rand_int__ v" "APPEND key:__rand_int__ x" "STRLEN key:__rand_int__" "GETRANGE key:__rand_int__ 0 2"
  "SETRANGE key:__rand_int__ 1 ab" "INCRBYFLOAT f:__rand_int__ 1.5" "DECRBY c:__rand_int__ 3" "EXISTS key:__rand_int__"
  "EXPIRE key:__rand_int__ 100" "TTL key:__rand_int__" "TYPE key:__rand_int__" "COPY key:__rand_int__ copy:__rand_int__"
  "GETDEL key:__rand_int__" "DEL key:__rand_int__")  # not RENAME: a missing key is an error, which stops redis-benchmark

wait_port() { for _ in $(seq 1 200); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "port $1 never answered" >&2; exit 1; }

start_pair() { # $1 = none | always
  rm -rf "$WORK/redis" "$WORK/cask"; mkdir -p "$WORK/redis"
  if [ "$1" = none ]; then
    redis-server --port $REDIS_PORT --dir "$WORK/redis" --save "" --appendonly no --daemonize no --maxclients 10000 --loglevel warning >/dev/null &
  else
    redis-server --port $REDIS_PORT --dir "$WORK/redis" --save "" --appendonly yes --appendfsync always --daemonize no --maxclients 10000 --loglevel warning >/dev/null &
  fi
  PIDS+=($!)
  "$ROOT/cask" --dir "$WORK/cask" --sync "$1" serve --port $CASK_PORT >/dev/null 2>&1 &
  PIDS+=($!)
  wait_port $REDIS_PORT; wait_port $CASK_PORT
}

WAITS="$WORK/waits"
: >"$WAITS"
# Waits (up to 300 s) until the server on port $1 has no background work in progress, and notes how long it waited.
quiesce() {
  local start=$SECONDS
  for _ in $(seq 1 3000); do
    if ! redis-cli -p "$1" info persistence 2>/dev/null | tr -d '\r' |
      grep -qE '^(merge_in_progress|aof_rewrite_in_progress|rdb_bgsave_in_progress):1$'; then
      if [ $((SECONDS - start)) -gt 0 ]; then
        echo "waited $((SECONDS - start)) s for background work on port $1 ($2)" >&2
        echo "$1 $((SECONDS - start))" >>"$WAITS"
      fi
      return 0
    fi
    sleep 0.1
  done
  echo "port $1 still busy after 300 s; measuring anyway" >&2
}

stop_pair() { redis-cli -p $REDIS_PORT shutdown nosave >/dev/null 2>&1 || true; redis-cli -p $CASK_PORT shutdown >/dev/null 2>&1 || true; sleep 1; }

RESULTS="$WORK/results.csv"
echo "pair,line,server,round,test,rps" >"$RESULTS"
for pair in $PAIRS; do
  start_pair "$pair"
  # warm-up, not counted: the JVM compiles its hot paths in the first seconds; both servers get the same
  for port in $REDIS_PORT $CASK_PORT; do redis-benchmark -p $port -t set,get -n "$N" -r 100000 -c 50 -P 16 -q >/dev/null 2>&1; done
  for line in "${LINES[@]}"; do
    [[ " $SECTIONS " == *" strings "* ]] || continue
    # shellcheck disable=SC2086 # $line is redis-benchmark's arguments
    for port in $REDIS_PORT $CASK_PORT; do # and one of each line's own shape: the JIT compiles an unpipelined path anew (4-5 s)
      redis-benchmark -p $port -t set,get -n $((N / 10)) -r 100000 $line -q >/dev/null 2>&1
    done
    for round in $(seq 1 "$ROUNDS"); do
      for server in redis cask; do
        port=$REDIS_PORT; [ $server = cask ] && port=$CASK_PORT
        quiesce $port "$line"
        redis-benchmark -p $port -t set,get -n "$N" -r 100000 $line --csv 2>/dev/null | tail -n +2 | tr -d '"' |
          awk -F, -v p="$pair" -v l="$line" -v s=$server -v r="$round" '{print p "," l "," s "," r "," $1 "," $2}' >>"$RESULTS"
      done
    done
  done
  if [ "$pair" = none ] && [[ " $SECTIONS " == *" commands "* ]]; then
    for port in $REDIS_PORT $CASK_PORT; do # warm-up of each command and the transaction path, not counted, as for the strings
      redis-benchmark -p $port -t incr,mset -n $((N / 10)) -r 100000 -c 50 -q >/dev/null 2>&1
      for command in "${COMMANDS[@]}"; do
        # shellcheck disable=SC2086 # the command's words are redis-benchmark's arguments
        redis-benchmark -p $port -n $((N / 10)) -r 100000 -c 50 -q $command >/dev/null 2>&1 || true
      done
      "$ROOT/cask" bench tx --port $port --clients 50 --seconds 3 --csv >/dev/null 2>&1
    done
    for round in $(seq 1 "$ROUNDS"); do
      for server in redis cask; do
        port=$REDIS_PORT; [ $server = cask ] && port=$CASK_PORT
        quiesce $port "incr,mset"
        redis-benchmark -p $port -t incr,mset -n $((N / 2)) -r 100000 -c 50 --csv 2>/dev/null | tail -n +2 | tr -d '"' |
          awk -F, -v p="$pair" -v s=$server -v r="$round" '{print p ",-c 50 (commands)," s "," r "," $1 "," $2}' >>"$RESULTS"
        for command in "${COMMANDS[@]}"; do
          quiesce $port "${command%% *}"
          # shellcheck disable=SC2086 # the command's words are redis-benchmark's arguments
          { redis-benchmark -p $port -n $((N / 2)) -r 100000 -c 50 --csv $command 2>/dev/null || true; } | tail -n +2 | tr -d '"' |
            awk -F, -v p="$pair" -v s=$server -v r="$round" -v c="${command%% *}" '{print p ",-c 50 (commands)," s "," r "," c "," $2}' >>"$RESULTS"
        done
        quiesce $port "MULTI/EXEC"
        "$ROOT/cask" bench tx --port $port --clients 50 --seconds 5 --csv 2>/dev/null | tail -n +2 | tr -d '"' |
          awk -F, -v p="$pair" -v s=$server -v r="$round" '{print p ",-c 50 (commands)," s "," r ",MULTI/EXEC," $2}' >>"$RESULTS"
      done
    done
  fi
  if [[ " $SECTIONS " == *" collections "* ]]; then
    for port in $REDIS_PORT $CASK_PORT; do # warm-up, not counted, as for the strings
      redis-benchmark -p $port -t $COLLECTION_TESTS -n $((N / 4)) -r 100000 -c 50 -q >/dev/null 2>&1
    done
    for round in $(seq 1 "$ROUNDS"); do
      for server in redis cask; do
        port=$REDIS_PORT; [ $server = cask ] && port=$CASK_PORT
        redis-cli -p $port flushall >/dev/null # each round's lists start empty on both
        quiesce $port "collections"
        redis-benchmark -p $port -t $COLLECTION_TESTS -n $((N / 2)) -r 100000 -c 50 --csv 2>/dev/null | tail -n +2 | tr -d '"' |
          awk -F, -v p="$pair" -v s=$server -v r="$round" '{print p ",-c 50 (collections)," s "," r "," $1 "," $2}' >>"$RESULTS"
      done
    done
  fi
  stop_pair
done
if [ -s "$WAITS" ]; then
  awk -v r=$REDIS_PORT '{n[$1 == r ? "redis" : "cask"]++; s[$1 == r ? "redis" : "cask"] += $2}
    END {for (k in n) printf "waited for background work before %d runs on %s, %d s in all\n", n[k], k, s[k]}' "$WAITS"
else
  echo "no run waited for background work"
fi
python3 - "$RESULTS" "${TSV:-}" <<'PY'
import csv, sys, statistics
rows = list(csv.DictReader(open(sys.argv[1])))
tsv = open(sys.argv[2], "w") if sys.argv[2] else None
if tsv: tsv.write("sync\tline\ttest\tredis_rps\tcask_rps\tratio\n")
keys = []
for r in rows:
    k = (r["pair"], r["line"], r["test"])
    if k not in keys: keys.append(k)
print(f"{'sync':7} {'redis-benchmark line':24} {'test':12} {'redis rps':>11} {'cask rps':>11} {'cask/redis':>10}")
worst = None
worst_collections = None
for k in keys:
    get = lambda s: [float(r["rps"]) for r in rows if (r["pair"], r["line"], r["test"]) == k and r["server"] == s]
    redis, cask = statistics.mean(get("redis")), statistics.mean(get("cask"))
    ratio = cask / redis if redis else float("nan")
    if "collections" in k[1]:
        worst_collections = ratio if worst_collections is None else min(worst_collections, ratio)
    else:
        worst = ratio if worst is None else min(worst, ratio)
    print(f"{k[0]:7} {k[1]:24} {k[2][:12]:12} {redis:11.0f} {cask:11.0f} {ratio:10.2f}")
    if tsv: tsv.write(f"{k[0]}\t{k[1]}\t{k[2]}\t{redis:.0f}\t{cask:.0f}\t{ratio:.3f}\n")
if worst is not None: print(f"worst ratio of the string and key lines {worst:.2f} (goal: >= 1.0 on every line)")
if worst_collections is not None: print(f"worst ratio of the collection lines {worst_collections:.2f} (goal: >= 0.7 on every line)")
PY

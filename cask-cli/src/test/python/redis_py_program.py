"""redis-py against cask serve: strings, expiry, a WATCHed transaction, a pipeline, a job queue."""
import sys
import threading

import redis

r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), decode_responses=True)
assert r.set("greeting", "hello") is True
assert r.get("greeting") == "hello"
assert r.set("session", "token", ex=100) is True
assert r.ttl("session") > 90

r.set("stock", "10")
with r.pipeline(transaction=True) as tx:  # WATCH, MULTI ... EXEC, retried if the stock changed meanwhile
    while True:
        try:
            tx.watch("stock")
            stock = int(tx.get("stock"))
            tx.multi()
            tx.set("stock", stock - 3)
            tx.set("order:1", "3 items")
            tx.execute()
            break
        except redis.WatchError:
            continue
assert r.get("stock") == "7"
assert r.get("order:1") == "3 items"

with r.pipeline(transaction=False) as pipe:  # 100 commands, one round trip
    for i in range(100):
        pipe.set(f"item:{i}", f"value-{i}")
    assert pipe.execute() == [True] * 100
assert r.mget("item:0", "item:99") == ["value-0", "value-99"]

r.delete("jobs")  # a job queue: a producer LPUSHes, workers BRPOP with a timeout until it runs dry
done = []
lock = threading.Lock()


def worker():
    w = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), decode_responses=True)
    while True:
        job = w.brpop("jobs", timeout=1)
        if job is None:
            return
        with lock:
            done.append(job[1])


workers = [threading.Thread(target=worker) for _ in range(3)]
for t in workers:
    t.start()
for i in range(300):
    r.lpush("jobs", f"job-{i}")
for t in workers:
    t.join()
assert sorted(done) == sorted(f"job-{i}" for i in range(300))  # every job to exactly one worker
assert r.llen("jobs") == 0
assert r.brpop("jobs", timeout=0.1) is None

print("redis-py: all checks passed")

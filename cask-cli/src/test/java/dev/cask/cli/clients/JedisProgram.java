package dev.cask.cli.clients;

import java.util.List;
import java.util.Map;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.params.SetParams;

/** Jedis against cask serve: strings, expiry, a WATCHed transaction, a pipeline, another database, a session store. */
public final class JedisProgram {
    public static void main(String[] args) {
        try (Jedis redis = new Jedis("127.0.0.1", Integer.parseInt(args[0]))) {
            check(redis.set("greeting", "hello"), "OK");
            check(redis.get("greeting"), "hello");
            check(redis.set("session", "token", SetParams.setParams().ex(100)), "OK");
            check(redis.ttl("session") > 90, true);

            redis.set("stock", "10");
            redis.watch("stock");
            Transaction tx = redis.multi();
            tx.decrBy("stock", 3);
            tx.set("order:1", "3 items");
            List<Object> results = tx.exec();
            check(results.get(0), 7L);
            check(redis.get("order:1"), "3 items");

            Pipeline pipeline = redis.pipelined();
            Response<String> last = null;
            for (int i = 0; i < 100; i++) last = pipeline.set("item:" + i, "value-" + i);
            pipeline.sync();
            check(last.get(), "OK");
            check(redis.mget("item:0", "item:99").get(1), "value-99");

            redis.select(1);
            check(redis.get("greeting"), null);
            redis.set("greeting", "database one");
            redis.select(0);
            check(redis.get("greeting"), "hello");

            // a session store as Spring Session keeps one: a hash per session, with an expiry
            String session = "spring:session:sessions:7f3a";
            redis.hset(session, Map.of("creationTime", "1764140000000", "lastAccessedTime", "1764140000000",
                    "maxInactiveInterval", "1800", "sessionAttr:user", "ada"));
            redis.expire(session, 1800);
            redis.hset(session, "lastAccessedTime", "1764140060000"); // each request touches it
            redis.hset(session, "sessionAttr:cart", "3 items");
            redis.hdel(session, "sessionAttr:user"); // an attribute removed
            Map<String, String> stored = redis.hgetAll(session);
            check(stored.get("lastAccessedTime"), "1764140060000");
            check(stored.containsKey("sessionAttr:user"), false);
            check(redis.hget(session, "sessionAttr:cart"), "3 items");
            check(redis.hlen(session), 4L);
            check(redis.ttl(session) > 1700, true);
            check(redis.type(session), "hash");
            check(redis.del(session), 1L); // invalidated
            check(redis.exists(session), false);
        }
        System.out.println("jedis: all checks passed");
    }

    private static void check(Object actual, Object expected) {
        if (expected == null ? actual != null : !expected.equals(actual)) throw new AssertionError("expected " + expected + ", got " + actual);
    }
}

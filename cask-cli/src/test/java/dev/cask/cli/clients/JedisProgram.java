package dev.cask.cli.clients;

import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.params.SetParams;

/** Jedis against cask serve: strings, expiry, a WATCHed transaction, a pipeline, another database. */
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
        }
        System.out.println("jedis: all checks passed");
    }

    private static void check(Object actual, Object expected) {
        if (expected == null ? actual != null : !expected.equals(actual)) throw new AssertionError("expected " + expected + ", got " + actual);
    }
}

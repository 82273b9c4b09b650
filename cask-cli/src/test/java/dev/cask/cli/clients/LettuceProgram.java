package dev.cask.cli.clients;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Lettuce (RESP3 by default, with CLIENT SETINFO) against cask serve: strings, expiry, a transaction, a pipeline. */
public final class LettuceProgram {
    public static void main(String[] args) throws Exception {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + args[0]);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            check(redis.set("greeting", "hello"), "OK");
            check(redis.get("greeting"), "hello");
            check(redis.set("session", "token", SetArgs.Builder.ex(100)), "OK");
            check(redis.ttl("session") > 90, true);

            redis.set("stock", "10");
            redis.watch("stock");
            redis.multi();
            redis.decrby("stock", 3);
            redis.set("order:1", "3 items");
            TransactionResult tx = redis.exec();
            check(tx.wasDiscarded(), false);
            check(tx.get(0), 7L);
            check(redis.get("order:1"), "3 items");

            RedisAsyncCommands<String, String> async = connection.async();
            connection.setAutoFlushCommands(false); // a pipeline: 100 commands, one flush
            List<RedisFuture<String>> replies = new ArrayList<>();
            for (int i = 0; i < 100; i++) replies.add(async.set("item:" + i, "value-" + i));
            connection.flushCommands();
            for (RedisFuture<String> reply : replies) check(reply.get(10, TimeUnit.SECONDS), "OK");
            connection.setAutoFlushCommands(true);
            check(redis.mget("item:0", "item:99").get(1).getValue(), "value-99");
        } finally {
            client.shutdown();
        }
        System.out.println("lettuce: all checks passed");
    }

    private static void check(Object actual, Object expected) {
        if (!expected.equals(actual)) throw new AssertionError("expected " + expected + ", got " + actual);
    }
}

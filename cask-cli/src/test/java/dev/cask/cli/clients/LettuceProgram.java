package dev.cask.cli.clients;

import io.lettuce.core.KeyValue;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ZAddArgs;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Lettuce (RESP3 by default, with CLIENT SETINFO) against cask serve: strings, expiry, a transaction, a pipeline, a leaderboard. */
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

            redis.zadd("leaderboard", 100, "ada"); // a leaderboard: scores set and raised, the top three, ranks
            redis.zadd("leaderboard", 85.0, "bob", 120.0, "cy", 60.0, "dee");
            check(redis.zincrby("leaderboard", 30, "bob"), 115.0);
            check(redis.zadd("leaderboard", ZAddArgs.Builder.gt(), 90, "ada"), 0L); // GT: a lower score changes nothing
            List<ScoredValue<String>> top = redis.zrevrangeWithScores("leaderboard", 0, 2);
            check(top.get(0), ScoredValue.just(120, "cy"));
            check(top.get(1), ScoredValue.just(115, "bob"));
            check(top.get(2), ScoredValue.just(100, "ada"));
            check(redis.zrevrank("leaderboard", "ada"), 2L);
            check(redis.zscore("leaderboard", "dee"), 60.0);
            check(redis.zcount("leaderboard", Range.create(100, 200)), 3L);
            check(redis.zpopmin("leaderboard"), ScoredValue.just(60, "dee"));
            KeyValue<String, ScoredValue<String>> best = redis.bzpopmax(1, "leaderboard");
            check(best.getKey(), "leaderboard");
            check(best.getValue(), ScoredValue.just(120, "cy"));
            check(redis.zcard("leaderboard"), 2L);
        } finally {
            client.shutdown();
        }
        System.out.println("lettuce: all checks passed");
    }

    private static void check(Object actual, Object expected) {
        if (!expected.equals(actual)) throw new AssertionError("expected " + expected + ", got " + actual);
    }
}

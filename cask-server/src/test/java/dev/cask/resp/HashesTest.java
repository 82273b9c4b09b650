package dev.cask.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Hashes through Jedis against a real server on a real database: what survives a restart, what
 * a delete leaves behind and how the sweeper clears it, and a session store as Spring Session
 * keeps one (a hash per session with an expiry, fields read and written one at a time).
 */
class HashesTest {
    @TempDir
    Path dir;

    @Test
    void aHashSurvivesARestartAndItsIndexIsRebuiltFromTheLog() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            Map<String, String> fields = new HashMap<>();
            for (int i = 0; i < 500; i++) fields.put("field-" + i, "value-" + i);
            jedis.hset("h", fields);
            jedis.hdel("h", "field-7", "field-8");
            jedis.hincrBy("h", "counter", 41);
            jedis.expire("h", 1000);
            jedis.set("s", "a string");
        }
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            assertThat(jedis.hlen("h")).isEqualTo(499);
            Map<String, String> all = jedis.hgetAll("h");
            assertThat(all).hasSize(499).containsEntry("field-0", "value-0").containsEntry("counter", "41").doesNotContainKey("field-7");
            assertThat(jedis.hkeys("h")).hasSize(499);
            assertThat(jedis.ttl("h")).isBetween(990L, 1000L);
            assertThat(jedis.type("h")).isEqualTo("hash");
            assertThat(jedis.type("s")).isEqualTo("string");
            assertThat(jedis.dbSize()).isEqualTo(2);
            assertThat(jedis.keys("*")).containsExactlyInAnyOrder("h", "s");
            // HSCAN walks every field once when nothing changes meanwhile
            java.util.Set<String> seen = new java.util.HashSet<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<Map.Entry<String, String>> page = jedis.hscan("h", cursor, new ScanParams().count(50));
                for (Map.Entry<String, String> e : page.getResult()) assertThat(seen.add(e.getKey())).as(e.getKey()).isTrue();
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertThat(seen).hasSize(499);
        }
    }

    @Test
    void deletingAHashIsOneRecordAndTheSweeperDeletesItsFieldsBehindIt() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            Map<String, String> fields = new HashMap<>();
            for (int i = 0; i < 3500; i++) fields.put("f" + i, "v" + i);
            jedis.hset("big", fields);
            jedis.hset("other", "a", "1");
            assertThat(server.elementRecords()).isEqualTo(3501);
            assertThat(jedis.del("big")).isEqualTo(1);
            assertThat(jedis.exists("big")).isFalse();
            assertThat(jedis.hlen("big")).isZero(); // a new hash of that name starts empty, whatever is left of the old one
            for (int i = 0; i < 4; i++) jedis.ping("x"); // a thousand deletes behind each command
            assertThat(server.elementRecords()).isEqualTo(1);
            assertThat(jedis.hgetAll("other")).containsExactly(Map.entry("a", "1"));
            jedis.hset("big", "again", "yes");
            assertThat(jedis.hgetAll("big")).containsExactly(Map.entry("again", "yes"));
        }
    }

    @Test
    void fieldsLeftByACrashBeforeTheSweepAreSweptAfterTheRestart() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            Map<String, String> fields = new HashMap<>();
            for (int i = 0; i < 100; i++) fields.put("f" + i, "v" + i);
            jedis.hset("h", fields);
            // the hash's metadata goes, as a DEL leaves it, but its fields stay: what a stop right after the DEL leaves
            server.cask.delete(CollectionKeys.meta(0, "h".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        }
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            assertThat(server.elementRecords()).isEqualTo(100);
            jedis.ping();
            assertThat(server.elementRecords()).isZero();
            assertThat(jedis.exists("h")).isFalse();
        }
    }

    @Test
    void renameMoveAndCopyCarryTheFieldsAndAStringOverwritesAHash() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            jedis.hset("a", Map.of("x", "1", "y", "2"));
            assertThat(jedis.rename("a", "b")).isEqualTo("OK");
            assertThat(jedis.hgetAll("b")).containsOnly(Map.entry("x", "1"), Map.entry("y", "2"));
            assertThat(jedis.copy("b", "c", false)).isTrue();
            jedis.hset("c", "z", "3");
            assertThat(jedis.hlen("b")).isEqualTo(2);
            assertThat(jedis.hlen("c")).isEqualTo(3);
            assertThat(jedis.move("c", 1)).isEqualTo(1);
            jedis.select(1);
            assertThat(jedis.hget("c", "z")).isEqualTo("3");
            jedis.select(0);
            assertThatThrownBy(() -> jedis.get("b")).isInstanceOf(JedisDataException.class).hasMessageStartingWith("WRONGTYPE");
            assertThatThrownBy(() -> jedis.incr("b")).isInstanceOf(JedisDataException.class).hasMessageStartingWith("WRONGTYPE");
            jedis.set("s", "v");
            assertThatThrownBy(() -> jedis.hset("s", "f", "v")).isInstanceOf(JedisDataException.class).hasMessageStartingWith("WRONGTYPE");
            assertThat(jedis.set("b", "now a string")).isEqualTo("OK");
            assertThat(jedis.type("b")).isEqualTo("string");
            assertThat(jedis.get("b")).isEqualTo("now a string");
        }
    }

    /** Spring Session's pattern: a hash per session, an expiry on it, attributes read and written one by one, in transactions. */
    @Test
    void aSessionStoreWorkload() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            for (int s = 0; s < 50; s++) {
                String key = "spring:session:sessions:" + s;
                Transaction tx = jedis.multi();
                tx.hset(key, Map.of("creationTime", "1700000000000", "maxInactiveInterval", "1800", "lastAccessedTime", "1700000000000"));
                tx.hset(key, "sessionAttr:user", "user-" + s);
                tx.expire(key, 2100);
                List<Object> results = tx.exec();
                assertThat(results).hasSize(3);
            }
            for (int s = 0; s < 50; s += 2) {
                String key = "spring:session:sessions:" + s;
                assertThat(jedis.hget(key, "sessionAttr:user")).isEqualTo("user-" + s);
                jedis.hset(key, "lastAccessedTime", "1700000060000");
                jedis.hdel(key, "sessionAttr:user");
            }
            for (int s = 1; s < 50; s += 2) jedis.del("spring:session:sessions:" + s);
        }
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            assertThat(jedis.dbSize()).isEqualTo(25);
            Map<String, String> session = jedis.hgetAll("spring:session:sessions:10");
            assertThat(session).containsOnlyKeys("creationTime", "maxInactiveInterval", "lastAccessedTime").containsEntry("lastAccessedTime", "1700000060000");
            assertThat(jedis.ttl("spring:session:sessions:10")).isPositive();
            assertThat(jedis.exists("spring:session:sessions:11")).isFalse();
        }
    }

    /** A job queue (LPUSH, RPOP, LMOVE to a processing list) and a set of tags, across a restart. */
    @Test
    void listsAndSetsSurviveARestartInOrder() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            for (int i = 0; i < 100; i++) jedis.lpush("jobs", "job-" + i);
            assertThat(jedis.rpop("jobs")).isEqualTo("job-0");
            assertThat(jedis.lmove("jobs", "processing", redis.clients.jedis.args.ListDirection.RIGHT, redis.clients.jedis.args.ListDirection.LEFT))
                    .isEqualTo("job-1");
            jedis.linsert("jobs", redis.clients.jedis.args.ListPosition.BEFORE, "job-50", "urgent");
            jedis.sadd("tags", "a", "b", "c");
            jedis.srem("tags", "b");
        }
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            assertThat(jedis.llen("jobs")).isEqualTo(99);
            List<String> all = jedis.lrange("jobs", 0, -1);
            assertThat(all.getFirst()).isEqualTo("job-99");
            assertThat(all.getLast()).isEqualTo("job-2");
            assertThat(all.get(all.indexOf("job-50") - 1)).isEqualTo("urgent");
            assertThat(jedis.lrange("processing", 0, -1)).containsExactly("job-1");
            assertThat(jedis.smembers("tags")).containsExactlyInAnyOrder("a", "c");
            jedis.sadd("bag", "1", "2", "3", "4", "5");
            java.util.Set<String> popped = new java.util.HashSet<>(jedis.spop("bag", 3));
            popped.add(jedis.spop("bag"));
            assertThat(popped).hasSize(4).isSubsetOf("1", "2", "3", "4", "5"); // distinct: SPOP removes what it returns
            assertThat(jedis.scard("bag")).isEqualTo(1);
            popped.addAll(jedis.spop("bag", 5));
            assertThat(popped).containsExactlyInAnyOrder("1", "2", "3", "4", "5");
            assertThat(jedis.exists("bag")).isFalse();
            assertThat(jedis.type("jobs")).isEqualTo("list");
            assertThat(jedis.type("tags")).isEqualTo("set");
            while (jedis.rpop("jobs") != null) {
                // drain: the list is deleted with its last element
            }
            assertThat(jedis.exists("jobs")).isFalse();
            assertThat(server.elementRecords()).isEqualTo(3); // processing's one element, and the two tags
        }
    }

    /** A leaderboard: scores raised over time, the top read by rank, across a restart (the order is rebuilt from the records). */
    @Test
    void aLeaderboardKeepsItsOrderAcrossARestart() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            for (int i = 0; i < 200; i++) jedis.zadd("board", i % 50, "player-" + i);
            for (int i = 0; i < 10; i++) jedis.zincrby("board", 100 + i, "player-" + (i * 7));
            jedis.zrem("board", "player-199");
        }
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            assertThat(jedis.zcard("board")).isEqualTo(199);
            // raised: player-0 100, -7 108, -14 116, -21 124, -28 132, -35 140, -42 148, -49 156, -56 114, -63 122
            assertThat(jedis.zrevrange("board", 0, 2)).containsExactly("player-49", "player-42", "player-35");
            assertThat(jedis.zscore("board", "player-63")).isEqualTo(122.0);
            assertThat(jedis.zrank("board", "player-100")).isZero(); // score 0, and the lowest bytes among 50, 100 and 150
            assertThat(jedis.zcount("board", "(48", "+inf")).isEqualTo(12); // the 10 raised, and 99 and 149 at 49 (199 is gone)
            assertThat(jedis.type("board")).isEqualTo("zset");
            assertThat(jedis.zrangeByScore("board", "-inf", "0")).containsExactly("player-100", "player-150", "player-50");
        }
    }

    /** A huge negative count asks for that many random picks: the reply stops at the client's output limit, and the server serves on. */
    @Test
    void aHugeRandomCountIsCutOffByTheOutputLimitNotBuiltInMemory() throws Exception {
        dev.cask.net.ServerLimits small = new dev.cask.net.ServerLimits(RespConfig.DEFAULT_MAX_CLIENTS, 64 << 10, 1 << 20);
        try (TestServer server = TestServer.start(dir, dev.cask.core.CaskOptions.defaults(), null,
                RespLimits.forValues(dev.cask.core.CaskOptions.DEFAULT_MAX_VALUE_SIZE), small);
                Jedis other = new Jedis("127.0.0.1", server.port())) {
            other.hset("h", "f", "v");
            other.sadd("s", "m");
            for (String command : List.of("HRANDFIELD", "SRANDMEMBER")) {
                String key = command.startsWith("H") ? "h" : "s";
                try (Jedis greedy = new Jedis("127.0.0.1", server.port())) {
                    assertThatThrownBy(() -> greedy.sendCommand(() -> redis.clients.jedis.util.SafeEncoder.encode(command), key, "-4000000000000000000"))
                            .isInstanceOf(redis.clients.jedis.exceptions.JedisConnectionException.class);
                }
            }
            assertThat(other.hget("h", "f")).isEqualTo("v");
            assertThat(other.srandmember("s", -3)).containsExactly("m", "m", "m");
        }
    }
}

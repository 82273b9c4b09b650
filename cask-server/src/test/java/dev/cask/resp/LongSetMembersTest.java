package dev.cask.resp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cask.core.Cask;
import dev.cask.core.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Set members longer than 32 bytes are named by their digest and kept as their element's value:
 * every set command answers them whole, before and after a restart, and a database of the
 * previous encoding (long members in their keys) is moved to the new one at start.
 */
class LongSetMembersTest {
    @TempDir
    Path dir;

    private static String longMember(int i) {
        return "member-" + i + "-" + "x".repeat(30 + i % 50);
    }

    /** The longest element key of any set in the database: with digests, never past 10 + 33 bytes. */
    private static long longestElementKey(Cask cask) {
        AtomicLong longest = new AtomicLong();
        cask.forEachKey(k -> {
            if (CollectionKeys.isElement(k)) longest.accumulateAndGet(k.length, Math::max);
        });
        return longest.get();
    }

    @Test
    void everySetCommandAnswersLongMembersWholeAcrossARestart() throws Exception {
        Set<String> members = new HashSet<>();
        for (int i = 0; i < 200; i++) members.add(longMember(i));
        members.add("short");
        members.add("x".repeat(32)); // the longest kept in its key
        members.add("y".repeat(33)); // the shortest named by its digest
        try (TestServer server = TestServer.start(dir); Jedis j = new Jedis("127.0.0.1", server.port())) {
            assertThat(j.sadd("s", members.toArray(String[]::new))).isEqualTo(members.size());
            assertThat(j.sadd("s", longMember(7))).isZero();
            assertThat(j.sismember("s", longMember(7))).isTrue();
            assertThat(j.sismember("s", longMember(7) + "!")).isFalse();
            assertThat(j.smembers("s")).isEqualTo(members);
            assertThat(longestElementKey(server.cask)).isEqualTo(10 + 33);
        }
        try (TestServer server = TestServer.start(dir); Jedis j = new Jedis("127.0.0.1", server.port())) {
            assertThat(j.smembers("s")).isEqualTo(members);
            assertThat(j.scard("s")).isEqualTo(members.size());
            Set<String> scanned = new HashSet<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = j.sscan("s", cursor, new ScanParams().count(17).match("member-1*"));
                scanned.addAll(page.getResult());
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertThat(scanned).isEqualTo(members.stream().filter(m -> m.startsWith("member-1")).collect(java.util.stream.Collectors.toSet()));
            assertThat(members).contains(j.srandmember("s"));
            assertThat(j.srandmember("s", -50)).hasSize(50).allMatch(members::contains);
            assertThat(j.smove("s", "t", longMember(3))).isEqualTo(1);
            assertThat(j.smembers("t")).containsExactly(longMember(3));
            assertThat(j.sinterstore("both", "s", "s")).isEqualTo(members.size() - 1);
            assertThat(j.sunion("both", "t")).isEqualTo(members);
            assertThat(j.zunionstore("z", "t")).isEqualTo(1);
            assertThat(j.zrange("z", 0, -1)).containsExactly(longMember(3));
            List<String> popped = new ArrayList<>(j.spop("s", 10));
            assertThat(popped).hasSize(10).allMatch(members::contains);
            for (String m : popped) assertThat(j.sismember("s", m)).isFalse();
            assertThat(j.srem("s", longMember(150), "short")).isBetween(0L, 2L);
            assertThat(j.sismember("s", longMember(150))).isFalse();
        }
    }

    @Test
    void aDatabaseOfTheFirstEncodingHasItsLongMembersMovedAtStart() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis j = new Jedis("127.0.0.1", server.port())) {
            j.sadd("s", "short", "y".repeat(33), longMember(1));
            j.hset("h", longMember(2), "a hash field stays in its key");
        }
        try (Cask cask = Cask.open(dir)) { // put it back as the first encoding wrote it: long members in their keys, version 1
            long version = CollectionKeys.decode(cask.get(CollectionKeys.meta(0, b("s")))).version();
            WriteBatch batch = new WriteBatch();
            for (String m : List.of("y".repeat(33), longMember(1))) {
                batch.delete(CollectionKeys.element(version, CollectionKeys.setMemberName(b(m))));
                batch.put(CollectionKeys.element(version, b(m)), new byte[0]);
            }
            batch.put(KeyNames.VERSION_KEY, b("1"));
            cask.write(batch);
        }
        try (TestServer server = TestServer.start(dir); Jedis j = new Jedis("127.0.0.1", server.port())) {
            assertThat(j.smembers("s")).containsExactlyInAnyOrder("short", "y".repeat(33), longMember(1));
            assertThat(j.sismember("s", longMember(1))).isTrue();
            assertThat(j.hget("h", longMember(2))).isEqualTo("a hash field stays in its key");
            assertThat(longestElementKey(server.cask)).isEqualTo(10 + longMember(2).length());
            assertThat(new String(server.cask.get(KeyNames.VERSION_KEY), StandardCharsets.US_ASCII)).isEqualTo(KeyspaceMigration.CURRENT);
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

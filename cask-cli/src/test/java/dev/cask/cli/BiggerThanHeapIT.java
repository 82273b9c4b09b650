package dev.cask.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * A hash, a list and a set each holding more than the server's whole heap: {@code cask serve}
 * under {@code -Xmx128m} takes 200,000 values (set members) of 1 KiB into each (195 MiB a
 * collection), restarts under the same heap, and gives every one back, checked byte by byte.
 * Only the keydir and the member index are in memory (about 90, 47 and 139 bytes an element: 52
 * MiB here; at the 205-209 bytes an element of the first member index, with a set's members in
 * their keys, the same run needed far more than the heap); the values, and a long set member, are
 * on disk. (A set's members are its keys, and keys are held in
 * memory, so a set cannot outgrow the heap this way: docs/BENCHMARKS.md.)
 */
class BiggerThanHeapIT {
    private static final int ELEMENTS = 200_000;
    private static final int VALUE = 1024;
    private static final int HEAP_MIB = 128;
    private static final List<String> SMALL_HEAP = List.of("-Xmx" + HEAP_MIB + "m");

    @TempDir
    Path dir;

    /** Element i's value: 4 KiB that name i, so a value read back in the wrong place fails the check. */
    private static String value(String kind, int i) {
        String stamp = kind + ":" + i + ";";
        return stamp.repeat(VALUE / stamp.length() + 1).substring(0, VALUE);
    }

    @Test
    void aHashAListAndASetLargerThanTheHeapAreWrittenRestartedAndReadBackWhole() throws Exception {
        Path db = dir.resolve("db");
        try (ServeProcess s = ServeProcess.start(db, dir, List.of(), SMALL_HEAP); Jedis j = new Jedis("127.0.0.1", s.port())) {
            Pipeline p = j.pipelined();
            for (int from = 0; from < ELEMENTS; from += 100) {
                String[] list = new String[100];
                String[] members = new String[100];
                Map<String, String> fields = new java.util.HashMap<>();
                for (int k = 0; k < 100; k++) {
                    list[k] = value("l", from + k);
                    members[k] = value("s", from + k);
                    fields.put("f" + (from + k), value("h", from + k));
                }
                p.rpush("big:list", list);
                p.hset("big:hash", fields);
                p.sadd("big:set", members);
                if (from % 5000 == 0) p.sync(); // bounded in flight: the client's memory is not the test
            }
            p.sync();
            assertThat(j.hlen("big:hash")).isEqualTo(ELEMENTS);
            assertThat(j.llen("big:list")).isEqualTo(ELEMENTS);
            assertThat(j.scard("big:set")).isEqualTo(ELEMENTS);
        }
        assertThat(bytesOnDisk(db)).as("the data is larger than the heap").isGreaterThan(4L * ((long) HEAP_MIB << 20));
        try (ServeProcess s = ServeProcess.start(db, dir, List.of(), SMALL_HEAP); Jedis j = new Jedis("127.0.0.1", s.port())) {
            assertThat(j.hlen("big:hash")).isEqualTo(ELEMENTS);
            assertThat(j.llen("big:list")).isEqualTo(ELEMENTS);
            for (int from = 0; from < ELEMENTS; from += 100) {
                List<String> got = j.lrange("big:list", from, from + 99);
                assertThat(got).hasSize(100);
                for (int k = 0; k < 100; k++) {
                    if (!got.get(k).equals(value("l", from + k))) throw new AssertionError("list element " + (from + k) + " differs");
                }
            }
            Set<String> seen = new HashSet<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<Map.Entry<String, String>> page = j.hscan("big:hash", cursor, new ScanParams().count(100));
                for (Map.Entry<String, String> e : page.getResult()) {
                    int i = Integer.parseInt(e.getKey().substring(1));
                    if (!e.getValue().equals(value("h", i))) throw new AssertionError("field " + e.getKey() + " differs");
                    seen.add(e.getKey());
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertThat(seen).hasSize(ELEMENTS);
            Set<String> members = new HashSet<>();
            cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = j.sscan("big:set", cursor, new ScanParams().count(100));
                members.addAll(page.getResult());
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertThat(members).hasSize(ELEMENTS);
            for (int i = 0; i < ELEMENTS; i++) {
                if (!members.contains(value("s", i))) throw new AssertionError("set member " + i + " missing");
            }
            assertThat(j.sismember("big:set", value("s", ELEMENTS - 1))).isTrue();
            assertThat(j.sismember("big:set", value("s", ELEMENTS))).isFalse();
            assertThat(j.hmget("big:hash", "f0", "f" + (ELEMENTS - 1), "nope")).isEqualTo(Arrays.asList(value("h", 0), value("h", ELEMENTS - 1), null));
            assertThat(s.process().isAlive()).isTrue();
            assertThat(s.errors()).doesNotContain("OutOfMemoryError");
        }
    }

    private static long bytesOnDisk(Path db) throws IOException {
        try (Stream<Path> files = Files.walk(db)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }
}

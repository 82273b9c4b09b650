package dev.cask.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ListDirection;

/**
 * Lists through Jedis against a real server on a real database. A list has no member index (its
 * metadata's head and length say where its elements are), so what a delete, a rename over it, a
 * copy or a restart leaves must be found from that extent: every element swept, none lost.
 */
class ListsTest {
    @TempDir
    Path dir;

    private static String[] values(String prefix, int n) {
        String[] v = new String[n];
        for (int i = 0; i < n; i++) v[i] = prefix + i;
        return v;
    }

    @Test
    void aDeletedListIsSweptFromItsExtentWhateverItsPushesAndPopsMovedItsHead() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            jedis.rpush("l", values("r", 2000));
            jedis.lpush("l", values("l", 1500));
            jedis.lpop("l", 700);
            jedis.rpop("l", 300);
            jedis.rpush("other", "a", "b");
            assertThat(jedis.llen("l")).isEqualTo(2500);
            assertThat(server.elementRecords()).isEqualTo(2502);
            assertThat(jedis.del("l")).isEqualTo(1);
            assertThat(jedis.lrange("l", 0, -1)).isEmpty();
            for (int i = 0; i < 4; i++) jedis.ping(); // a thousand deletes behind each command
            assertThat(server.elementRecords()).isEqualTo(2);
            assertThat(jedis.lrange("other", 0, -1)).containsExactly("a", "b");
        }
    }

    @Test
    void aListRenamedOverAnotherKeepsItsElementsAndTheOverwrittenOneIsSwept() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            jedis.rpush("a", values("a", 1200));
            jedis.rpush("b", values("b", 10));
            assertThat(jedis.rename("b", "a")).isEqualTo("OK");
            for (int i = 0; i < 3; i++) jedis.ping();
            assertThat(server.elementRecords()).isEqualTo(10);
            assertThat(jedis.lrange("a", 0, -1)).containsExactly(values("b", 10));
            assertThat(jedis.copy("a", "c", false)).isTrue();
            jedis.lpop("a", 10); // emptied: its metadata goes, and so does everything it held
            assertThat(jedis.exists("a")).isFalse();
            assertThat(jedis.lrange("c", 0, -1)).containsExactly(values("b", 10));
            assertThat(server.elementRecords()).isEqualTo(10);
        }
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            assertThat(jedis.lrange("c", 0, -1)).containsExactly(values("b", 10));
            jedis.ping();
            assertThat(server.elementRecords()).isEqualTo(10);
        }
    }

    @Test
    void aListLeftWithoutItsMetadataByACrashIsSweptAfterTheRestartAndALiveOneIsReadWhole() throws Exception {
        List<String> expected = new ArrayList<>();
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            jedis.rpush("gone", values("g", 1500));
            jedis.rpush("kept", values("k", 600));
            jedis.lmove("kept", "kept", ListDirection.LEFT, ListDirection.RIGHT); // the head moves on
            jedis.lset("kept", 5, "changed");
            expected.addAll(jedis.lrange("kept", 0, -1));
            // the metadata goes, as a DEL leaves it, but the elements stay: what a stop right after the DEL leaves
            server.cask.delete(CollectionKeys.meta(0, "gone".getBytes(StandardCharsets.US_ASCII)));
        }
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            assertThat(server.elementRecords()).isEqualTo(2100);
            jedis.ping();
            jedis.ping();
            assertThat(server.elementRecords()).isEqualTo(600);
            assertThat(jedis.lrange("kept", 0, -1)).isEqualTo(expected).hasSize(600).contains("changed");
            assertThat(jedis.lindex("kept", -1)).isEqualTo("k0");
            jedis.del("kept");
            jedis.ping();
            assertThat(server.elementRecords()).isZero();
        }
    }

    private static long info(Jedis jedis, String field) {
        for (String line : jedis.info().split("\r\n")) if (line.startsWith(field + ":")) return Long.parseLong(line.substring(field.length() + 1));
        throw new AssertionError("INFO has no " + field);
    }

    @Test
    void theListCacheAnswersRepeatedReadsAndFollowsEveryWrite() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            List<String> model = new ArrayList<>(List.of(values("v", 50)));
            jedis.rpush("l", values("v", 50));
            assertThat(jedis.lrange("l", 0, -1)).isEqualTo(model); // a miss: read from the log, and held
            long hits = info(jedis, "list_cache_hits");
            assertThat(jedis.lrange("l", 0, -1)).isEqualTo(model);
            assertThat(info(jedis, "list_cache_hits")).as("the second read is the window's").isEqualTo(hits + 1);
            assertThat(info(jedis, "list_cache_bytes")).isPositive();

            jedis.lpush("l", "front"); // next to the window: it grows
            model.addFirst("front");
            jedis.rpush("l", "back");
            model.addLast("back");
            jedis.lset("l", 3, "set");
            model.set(3, "set");
            jedis.linsert("l", redis.clients.jedis.args.ListPosition.BEFORE, "v10", "inserted");
            model.add(model.indexOf("v10"), "inserted");
            jedis.lrem("l", 1, "v20");
            model.remove("v20");
            assertThat(jedis.lpop("l")).isEqualTo(model.removeFirst());
            assertThat(jedis.rpop("l", 2)).containsExactly(model.removeLast(), model.removeLast());
            jedis.ltrim("l", 1, 40);
            model = new ArrayList<>(model.subList(1, 41));
            hits = info(jedis, "list_cache_hits");
            assertThat(jedis.lrange("l", 0, -1)).isEqualTo(model);
            assertThat(jedis.lindex("l", 7)).isEqualTo(model.get(7));
            assertThat(info(jedis, "list_cache_hits")).as("held through every write").isGreaterThan(hits);

            redis.clients.jedis.Transaction tx = jedis.multi(); // a transaction reads its own writes, not the window
            tx.rpush("l", "in-tx");
            tx.lset("l", 0, "first-in-tx");
            tx.lrange("l", 0, -1);
            List<Object> replies = tx.exec();
            model.add("in-tx");
            model.set(0, "first-in-tx");
            assertThat(replies.get(2)).isEqualTo(model);
            assertThat(jedis.lrange("l", 0, -1)).isEqualTo(model);

            jedis.del("l"); // a new list under the same name has a new version: nothing of the old window shows
            jedis.rpush("l", "new");
            assertThat(jedis.lrange("l", 0, -1)).containsExactly("new");
            jedis.rename("l", "m");
            assertThat(jedis.lrange("m", 0, -1)).containsExactly("new");

            assertThat(jedis.configSet("list-cache", "0")).isEqualTo("OK");
            assertThat(info(jedis, "list_cache_bytes")).isZero();
            assertThat(jedis.lrange("m", 0, -1)).containsExactly("new");
            assertThat(info(jedis, "list_cache_bytes")).as("a zero budget holds nothing").isZero();
            assertThat(jedis.configGet("list-cache")).containsEntry("list-cache", "0");
        }
    }

    @Test
    void aValueTooLongToHoldIsReadFromTheLogEachTime() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            String big = "x".repeat(ListWindows.MAX_VALUE + 1);
            jedis.rpush("l", "a", big, "c");
            assertThat(jedis.lrange("l", 0, -1)).containsExactly("a", big, "c");
            assertThat(jedis.lrange("l", 0, -1)).containsExactly("a", big, "c");
            assertThat(jedis.lrange("l", 1, 1)).containsExactly(big);
            jedis.lset("l", 0, big);
            assertThat(jedis.lrange("l", 0, 0)).containsExactly(big);
            assertThat(info(jedis, "list_cache_bytes")).isLessThan(ListWindows.MAX_VALUE);
        }
    }
}

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
}

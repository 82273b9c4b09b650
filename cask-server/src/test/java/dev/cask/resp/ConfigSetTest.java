package dev.cask.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cask.core.CaskOptions;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/** CONFIG SET of what can change while the server runs: each change is seen by the next request, by real clients on real sockets. */
class ConfigSetTest {
    @TempDir
    Path dir;

    private TestServer start() throws Exception {
        return TestServer.start(dir, CaskOptions.defaults(), null, RespLimits.forValues(CaskOptions.DEFAULT_MAX_VALUE_SIZE),
                TestServer.defaultLimits());
    }

    @Test
    void maxclientsRefusesTheNextClientAtOnce() throws Exception {
        try (TestServer server = start(); Jedis admin = new Jedis("127.0.0.1", server.port()); Jedis second = new Jedis("127.0.0.1", server.port())) {
            assertThat(second.ping()).isEqualTo("PONG");
            assertThat(admin.configSet("maxclients", "2")).isEqualTo("OK");
            assertThat(admin.configGet("maxclients")).containsEntry("maxclients", "2");
            try (Jedis third = new Jedis("127.0.0.1", server.port())) {
                assertThatThrownBy(third::ping).hasMessageContaining("max number of clients reached");
            }
            assertThat(second.ping()).isEqualTo("PONG"); // the clients already connected stay
            admin.configSet("maxclients", "10");
            try (Jedis third = new Jedis("127.0.0.1", server.port())) {
                assertThat(third.ping()).isEqualTo("PONG");
            }
        }
    }

    @Test
    void timeoutClosesAClientIdleThatLong() throws Exception {
        try (TestServer server = start(); Jedis admin = new Jedis("127.0.0.1", server.port()); Jedis idle = new Jedis("127.0.0.1", server.port())) {
            assertThat(idle.ping()).isEqualTo("PONG");
            assertThat(admin.configSet("timeout", "1")).isEqualTo("OK");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline) {
                admin.ping(); // the admin stays busy, so only the idle one times out
                Thread.sleep(200);
                if (Long.parseLong(info(admin).get("connected_clients")) == 1) break;
            }
            assertThat(info(admin).get("connected_clients")).isEqualTo("1");
            assertThatThrownBy(idle::ping).isInstanceOf(JedisConnectionException.class);
        }
    }

    @Test
    void requirepassAppliesToTheNextConnection() throws Exception {
        try (TestServer server = start(); Jedis admin = new Jedis("127.0.0.1", server.port())) {
            assertThat(admin.configSet("requirepass", "s3cret")).isEqualTo("OK");
            assertThat(admin.configGet("requirepass")).containsEntry("requirepass", "********");
            assertThat(admin.ping()).isEqualTo("PONG"); // as Redis: a connection that was in keeps its access
            try (Jedis late = new Jedis("127.0.0.1", server.port())) {
                assertThatThrownBy(late::ping).hasMessageContaining("NOAUTH");
                assertThatThrownBy(() -> late.auth("wrong")).hasMessageContaining("WRONGPASS");
                assertThat(late.auth("s3cret")).isEqualTo("OK");
                assertThat(late.configSet("requirepass", "")).isEqualTo("OK"); // loopback: the password may go again
            }
            try (Jedis open = new Jedis("127.0.0.1", server.port())) {
                assertThat(open.ping()).isEqualTo("PONG");
            }
        }
    }

    @Test
    void bufferLimitsCutOffTheClientThatPassesThem() throws Exception {
        try (TestServer server = start(); Jedis admin = new Jedis("127.0.0.1", server.port())) {
            admin.set("big", "x".repeat(3 << 20));
            assertThat(admin.configSet("client-output-buffer-limit", "normal 1mb 0 0")).isEqualTo("OK");
            assertThat(admin.configGet("client-output-buffer-limit"))
                    .containsEntry("client-output-buffer-limit", "normal 1048576 0 0 replica 0 0 0 pubsub 0 0 0");
            try (Jedis reader = new Jedis("127.0.0.1", server.port())) {
                assertThatThrownBy(() -> reader.get("big")).isInstanceOf(JedisConnectionException.class);
            }
            assertThat(admin.configSet("client-output-buffer-limit", "normal 0 0 0")).isEqualTo("OK"); // 0: no limit, as Redis
            assertThat(admin.configSet("proto-max-bulk-len", "2mb")).isEqualTo("OK");
            try (Jedis writer = new Jedis("127.0.0.1", server.port())) {
                assertThat(writer.get("big")).hasSize(3 << 20);
            }
            // the header alone: the server refuses at the bulk's length and closes; a client still sending the 3 MB
            // behind it may see the close as a reset before it reads the error (Redis does the same), so none is sent
            try (RawClient writer = new RawClient(server.port())) {
                writer.send("*3\r\n$3\r\nSET\r\n$6\r\nbigger\r\n$" + (3 << 20) + "\r\n");
                assertThat(writer.line()).isEqualTo("-ERR Protocol error: invalid bulk length\r\n");
                assertThat(writer.closedByPeer()).isTrue();
            }
            assertThat(admin.exists("bigger")).isFalse();
            assertThat(admin.configSet("client-query-buffer-limit", "1mb", "maxmemory-clients", "64mb")).isEqualTo("OK");
            assertThat(admin.configGet("client-query-buffer-limit")).containsEntry("client-query-buffer-limit", "1048576");
            assertThat(admin.configGet("maxmemory-clients")).containsEntry("maxmemory-clients", Long.toString(64L << 20));
        }
    }

    @Test
    void aBadValueChangesNothingAndSaysWhich() throws Exception {
        try (TestServer server = start(); Jedis admin = new Jedis("127.0.0.1", server.port())) {
            Map<String, String> before = admin.configGet("*");
            assertThatThrownBy(() -> admin.configSet("maxclients", "5", "timeout", "soon")).isInstanceOf(JedisDataException.class)
                    .hasMessage("ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be parsed into an integer");
            assertThatThrownBy(() -> admin.configSet("maxclients", "0")).hasMessageContaining("argument must be between 1 and");
            assertThatThrownBy(() -> admin.configSet("loglevel", "loud"))
                    .hasMessageContaining("argument(s) must be one of the following: debug, verbose, notice, warning, nothing");
            assertThatThrownBy(() -> admin.configSet("client-output-buffer-limit", "normal 1mb 512kb 60")).hasMessageContaining("no soft limit");
            assertThatThrownBy(() -> admin.configSet("client-output-buffer-limit", "teachers 1mb 0 0")).hasMessageContaining("unknown client class");
            assertThatThrownBy(() -> admin.configSet("proto-max-bulk-len", "lots")).hasMessageContaining("must be a memory value");
            assertThatThrownBy(() -> admin.configSet("timeout", "1", "timeout", "2")).hasMessageContaining("duplicate parameter");
            assertThatThrownBy(() -> admin.configSet("maxclients", "2000000000")).hasMessageContaining("try with");
            assertThatThrownBy(() -> admin.configSet("dir", "/tmp")).hasMessageContaining("Cask sets it at start only");
            assertThat(admin.configGet("*")).isEqualTo(before);
            assertThat(admin.ping()).isEqualTo("PONG");
        }
    }

    @Test
    void theLogLevelIsTheEmbeddersToChange() throws Exception {
        try (TestServer server = start(); Jedis admin = new Jedis("127.0.0.1", server.port())) {
            assertThat(admin.configGet("loglevel")).containsEntry("loglevel", "notice");
            assertThatThrownBy(() -> admin.configSet("loglevel", "debug")).hasMessageContaining("set by the program that embeds the server");
        }
    }

    private static Map<String, String> info(Jedis jedis) {
        Map<String, String> fields = new java.util.HashMap<>();
        for (String line : jedis.info("clients").split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) fields.put(line.substring(0, colon), line.substring(colon + 1));
        }
        return fields;
    }
}

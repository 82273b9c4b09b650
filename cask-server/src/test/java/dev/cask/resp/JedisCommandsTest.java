package dev.cask.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.args.ExpiryOption;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.util.SafeEncoder;

/** Every command of the server issue, through Jedis, against a real server and a real database on disk. */
class JedisCommandsTest {
    @TempDir
    Path dir;

    TestServer server;
    Jedis jedis;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(dir);
        jedis = new Jedis("127.0.0.1", server.port());
    }

    @AfterEach
    void stop() {
        jedis.close();
        server.close();
    }

    @Test
    void pingEchoGetSet() {
        assertThat(jedis.ping()).isEqualTo("PONG");
        assertThat(jedis.ping("hi")).isEqualTo("hi");
        assertThat(jedis.echo("x y")).isEqualTo("x y");
        assertThat(jedis.get("missing")).isNull();
        assertThat(jedis.set("k", "v")).isEqualTo("OK");
        assertThat(jedis.get("k")).isEqualTo("v");
        byte[] binary = {0, 1, 2, (byte) 0xff, '\r', '\n'};
        jedis.set("bin".getBytes(), binary);
        assertThat(jedis.get("bin".getBytes())).isEqualTo(binary);
        jedis.set("empty", "");
        assertThat(jedis.get("empty")).isEmpty();
    }

    @Test
    void setOptions() {
        assertThat(jedis.set("k", "1", SetParams.setParams().nx())).isEqualTo("OK");
        assertThat(jedis.set("k", "2", SetParams.setParams().nx())).isNull();
        assertThat(jedis.get("k")).isEqualTo("1");
        assertThat(jedis.set("other", "2", SetParams.setParams().xx())).isNull();
        assertThat(jedis.exists("other")).isFalse();
        assertThat(jedis.set("k", "3", SetParams.setParams().xx())).isEqualTo("OK");
        assertThat(jedis.setGet("k", "4")).isEqualTo("3");
        assertThat(jedis.setGet("fresh", "x")).isNull();
        jedis.set("t", "v", SetParams.setParams().ex(100));
        assertThat(jedis.ttl("t")).isBetween(99L, 100L);
        jedis.set("t", "v", SetParams.setParams().px(50_000));
        assertThat(jedis.pttl("t")).isBetween(49_000L, 50_000L);
        long now = System.currentTimeMillis();
        jedis.set("t", "v", SetParams.setParams().exAt(now / 1000 + 200));
        assertThat(jedis.ttl("t")).isBetween(198L, 201L);
        jedis.set("t", "v", SetParams.setParams().pxAt(now + 300_000));
        assertThat(jedis.pttl("t")).isBetween(298_000L, 300_000L);
        jedis.set("t", "w", SetParams.setParams().keepTtl());
        assertThat(jedis.get("t")).isEqualTo("w");
        assertThat(jedis.pttl("t")).isBetween(298_000L, 300_000L);
        jedis.set("t", "plain");
        assertThat(jedis.ttl("t")).isEqualTo(-1);
        assertThatThrownBy(() -> jedis.set("t", "v", SetParams.setParams().ex(0))).hasMessage("ERR invalid expire time in 'set' command");
        assertThatThrownBy(() -> jedis.set("t", "v", SetParams.setParams().ex(-5))).hasMessage("ERR invalid expire time in 'set' command");
        assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.SET, "t", "v", "NX", "XX")).hasMessage("ERR syntax error");
        assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.SET, "t", "v", "EX", "10", "KEEPTTL")).hasMessage("ERR syntax error");
        assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.SET, "t", "v", "EX", "ten")).hasMessage("ERR value is not an integer or out of range");
        assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.SET, "t", "v", "BOGUS")).hasMessage("ERR syntax error");
        // EXAT in the past: the key is gone, as in Redis
        jedis.set("t", "v", SetParams.setParams().exAt(1));
        assertThat(jedis.exists("t")).isFalse();
    }

    @Test
    void getdelDelExistsMgetMset() {
        jedis.mset("a", "1", "b", "2", "c", "3");
        assertThat(jedis.mget("a", "b", "nope", "c")).containsExactly("1", "2", null, "3");
        assertThat(jedis.exists("a", "b", "nope", "a")).isEqualTo(3);
        assertThat(jedis.getDel("a")).isEqualTo("1");
        assertThat(jedis.getDel("a")).isNull();
        assertThat(jedis.del("b", "nope", "b")).isEqualTo(1);
        assertThat(jedis.del("c")).isEqualTo(1);
        assertThat(jedis.del("c")).isZero();
        assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.MSET, "a", "1", "b")).hasMessage("ERR wrong number of arguments for 'mset' command");
        assertThat(jedis.exists("a")).isFalse(); // a refused MSET wrote nothing
    }

    @Test
    void counters() {
        assertThat(jedis.incr("n")).isEqualTo(1);
        assertThat(jedis.incrBy("n", 41)).isEqualTo(42);
        assertThat(jedis.decr("n")).isEqualTo(41);
        assertThat(jedis.decrBy("n", 50)).isEqualTo(-9);
        assertThat(jedis.get("n")).isEqualTo("-9");
        jedis.set("s", "abc");
        assertThatThrownBy(() -> jedis.incr("s")).hasMessage("ERR value is not an integer or out of range");
        jedis.set("s", " 1");
        assertThatThrownBy(() -> jedis.incr("s")).hasMessage("ERR value is not an integer or out of range");
        jedis.set("max", Long.toString(Long.MAX_VALUE));
        assertThatThrownBy(() -> jedis.incr("max")).hasMessage("ERR increment or decrement would overflow");
        assertThat(jedis.get("max")).isEqualTo(Long.toString(Long.MAX_VALUE));
        assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.INCRBY, "n", "1.5")).hasMessage("ERR value is not an integer or out of range");
        jedis.set("ttl", "5", SetParams.setParams().ex(100));
        jedis.incr("ttl");
        assertThat(jedis.ttl("ttl")).isBetween(99L, 100L); // INCR keeps the TTL
    }

    @Test
    void appendAndStrlen() {
        assertThat(jedis.append("s", "Hello")).isEqualTo(5);
        assertThat(jedis.append("s", " World")).isEqualTo(11);
        assertThat(jedis.get("s")).isEqualTo("Hello World");
        assertThat(jedis.strlen("s")).isEqualTo(11);
        assertThat(jedis.strlen("nope")).isZero();
    }

    @Test
    void expiry() throws Exception {
        jedis.set("k", "v");
        assertThat(jedis.ttl("k")).isEqualTo(-1);
        assertThat(jedis.ttl("nope")).isEqualTo(-2);
        assertThat(jedis.pttl("nope")).isEqualTo(-2);
        assertThat(jedis.expire("nope", 10)).isZero();
        assertThat(jedis.expire("k", 100)).isEqualTo(1);
        assertThat(jedis.ttl("k")).isBetween(99L, 100L);
        assertThat(jedis.expire("k", 50, ExpiryOption.NX)).isZero();
        assertThat(jedis.expire("k", 50, ExpiryOption.GT)).isZero();
        assertThat(jedis.expire("k", 50, ExpiryOption.LT)).isEqualTo(1);
        assertThat(jedis.expire("k", 500, ExpiryOption.XX)).isEqualTo(1);
        assertThat(jedis.ttl("k")).isBetween(499L, 500L);
        assertThat(jedis.persist("k")).isEqualTo(1);
        assertThat(jedis.persist("k")).isZero();
        assertThat(jedis.ttl("k")).isEqualTo(-1);
        assertThat(jedis.expire("k", 50, ExpiryOption.XX)).isZero();
        assertThat(jedis.pexpire("k", 200)).isEqualTo(1);
        assertThat(jedis.pttl("k")).isBetween(1L, 200L);
        Thread.sleep(300);
        assertThat(jedis.get("k")).isNull();
        assertThat(jedis.exists("k")).isFalse();
        jedis.set("k", "v");
        assertThat(jedis.expire("k", -1)).isEqualTo(1); // a time in the past deletes
        assertThat(jedis.exists("k")).isFalse();
        assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.EXPIRE, "k", "10", "NX", "XX"))
                .hasMessageContaining("not compatible");
        assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.EXPIRE, "k", Long.toString(Long.MAX_VALUE)))
                .hasMessage("ERR invalid expire time in 'expire' command");
    }

    @Test
    void keyspace() {
        for (int i = 0; i < 1000; i++) jedis.set("user:" + i, "v");
        jedis.set("other", "v");
        assertThat(jedis.dbSize()).isEqualTo(1001);
        assertThat(jedis.keys("user:99*")).containsExactlyInAnyOrder("user:99", "user:990", "user:991", "user:992", "user:993", "user:994",
                "user:995", "user:996", "user:997", "user:998", "user:999");
        assertThat(jedis.keys("*")).hasSize(1001);
        Set<String> seen = new HashSet<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        int steps = 0;
        do {
            ScanResult<String> page = jedis.scan(cursor, new ScanParams().match("user:*").count(37));
            for (String k : page.getResult()) assertThat(seen.add(k)).as("seen twice: " + k).isTrue();
            cursor = page.getCursor();
            steps++;
        } while (!cursor.equals("0"));
        assertThat(seen).hasSize(1000);
        assertThat(steps).isGreaterThan(5);
        assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.SCAN, "abc")).hasMessage("ERR invalid cursor");
        assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.SCAN, "0", "COUNT", "0")).hasMessage("ERR syntax error");
        assertThat(jedis.select(0)).isEqualTo("OK");
        assertThatThrownBy(() -> jedis.select(16)).hasMessage("ERR DB index is out of range");
        assertThat(jedis.flushDB()).isEqualTo("OK");
        assertThat(jedis.dbSize()).isZero();
        jedis.set("x", "y");
        assertThat(jedis.flushAll()).isEqualTo("OK");
        assertThat(jedis.keys("*")).isEmpty();
    }

    @Test
    void serverAndConnectionCommands() {
        String info = jedis.info();
        assertThat(info).contains("# Server", "io_thread:cask-io", "transport:" + TestServer.transport(), "# Clients", "connected_clients:1", "# Stats",
                "# Persistence", "sync_policy:none", "segments:1", "fragmentation:", "last_merge:none", "command_threads:1");
        assertThat(jedis.info("persistence")).contains("sync_policy").doesNotContain("# Server");
        Map<String, String> config = jedis.configGet("*");
        assertThat(config).containsKeys("save", "appendonly", "maxclients", "port");
        assertThat(jedis.configGet("save")).containsExactly(Map.entry("save", ""));
        assertThat(jedis.clientGetname()).isNull();
        assertThat(jedis.clientSetname("worker-1")).isEqualTo("OK");
        assertThat(jedis.clientGetname()).isEqualTo("worker-1");
        assertThatThrownBy(() -> jedis.clientSetname("bad name")).hasMessageContaining("Client names cannot contain spaces");
        assertThat(jedis.clientId()).isPositive();
        assertThat(jedis.commandCount()).isGreaterThan(30);
        assertThat(jedis.commandDocs("get")).containsKey("get");
        List<?> info2 = (List<?>) jedis.sendCommand(Protocol.Command.COMMAND, "INFO", "get");
        assertThat(info2).hasSize(1);
        assertThat(jedis.save()).isEqualTo("OK");
        assertThatThrownBy(() -> jedis.auth("pw")).hasMessageContaining("without any password configured");
        assertThatThrownBy(() -> jedis.sendCommand(() -> SafeEncoder.encode("NOSUCH"), "a", "b"))
                .hasMessage("ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' ");
        assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.GET)).hasMessage("ERR wrong number of arguments for 'get' command");
        assertThat(jedis.sendCommand(() -> SafeEncoder.encode("QUIT"))).isEqualTo("OK".getBytes());
    }

    @Test
    void mergeAndBgrewriteaofStartAMergeThatReclaimsSpace() throws Exception {
        server.close();
        server = TestServer.start(dir, dev.cask.core.CaskOptions.defaults().withMaxFileSize(4096).withAutoMerge(false, 0.5, 0), null,
                RespLimits.forValues(1 << 20), TestServer.defaultLimits());
        try (Jedis j = new Jedis("127.0.0.1", server.port())) {
            for (int round = 0; round < 20; round++) for (int i = 0; i < 20; i++) j.set("k" + i, "round-" + round + "-" + "x".repeat(100));
            long segmentsBefore = server.cask.stats().segments().size();
            assertThat(SafeEncoder.encode((byte[]) j.sendCommand(() -> SafeEncoder.encode("MERGE")))).isEqualTo("Background merge started");
            awaitMergeDone(j);
            assertThat(j.info("persistence")).contains("last_merge_reclaimed_bytes:");
            assertThat(server.cask.stats().segments().size()).isLessThan((int) segmentsBefore);
            assertThat(j.bgrewriteaof()).isEqualTo("Background append only file rewriting started");
            awaitMergeDone(j);
            for (int i = 0; i < 20; i++) assertThat(j.get("k" + i)).isEqualTo("round-19-" + "x".repeat(100));
        }
    }

    private static void awaitMergeDone(Jedis j) throws InterruptedException {
        for (int i = 0; i < 200 && j.info("persistence").contains("merge_in_progress:1"); i++) Thread.sleep(50);
        assertThat(j.info("persistence")).contains("merge_in_progress:0");
    }

    @Test
    void passwordIsRequiredWhenSet() throws Exception {
        server.close();
        server = TestServer.start(dir, dev.cask.core.CaskOptions.defaults(), "s3cret", RespLimits.forValues(1 << 20), TestServer.defaultLimits());
        try (Jedis j = new Jedis("127.0.0.1", server.port())) {
            assertThatThrownBy(() -> j.get("k")).hasMessage("NOAUTH Authentication required.");
            assertThatThrownBy(() -> j.auth("wrong")).isInstanceOf(JedisDataException.class)
                    .hasMessage("WRONGPASS invalid username-password pair or user is disabled.");
            assertThat(j.auth("s3cret")).isEqualTo("OK");
            j.set("k", "v");
            assertThat(j.get("k")).isEqualTo("v");
        }
        try (Jedis j = new Jedis("127.0.0.1", server.port())) {
            assertThat(j.auth("default", "s3cret")).isEqualTo("OK");
            assertThat(j.get("k")).isEqualTo("v");
        }
    }

    @Test
    void resp3ThroughHello() {
        var config = redis.clients.jedis.DefaultJedisClientConfig.builder().protocol(redis.clients.jedis.RedisProtocol.RESP3).build();
        try (Jedis j = new Jedis(new redis.clients.jedis.HostAndPort("127.0.0.1", server.port()), config)) {
            assertThat(j.get("missing")).isNull(); // RESP3's null
            j.set("k", "v");
            assertThat(j.get("k")).isEqualTo("v");
            assertThat(j.configGet("save")).containsExactly(Map.entry("save", "")); // RESP3's map
            assertThat(j.clientInfo()).contains("resp=3");
        }
        assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.HELLO, "4")).hasMessage("NOPROTO unsupported protocol version");
    }

    @Test
    void valuesOverTheEngineLimitAreRefusedAndChangeNothing() throws Exception {
        server.close();
        server = TestServer.start(dir, dev.cask.core.CaskOptions.defaults().withMaxValueSize(1000).withMaxKeySize(100), null,
                RespLimits.forValues(1 << 20), TestServer.defaultLimits());
        try (Jedis j = new Jedis("127.0.0.1", server.port())) {
            j.set("k", "small");
            assertThatThrownBy(() -> j.set("k", "x".repeat(1001))).hasMessageStartingWith("ERR value of 1001 bytes is over the limit");
            assertThatThrownBy(() -> j.set("k".repeat(101), "v")).hasMessageStartingWith("ERR key of 101 bytes is over the limit");
            assertThatThrownBy(() -> j.append("k", "x".repeat(996))).hasMessageStartingWith("ERR value of 1001 bytes is over the limit");
            assertThat(j.get("k")).isEqualTo("small");
        }
    }

    @Test
    void clientListShowsEveryClientAndKillClosesOne() {
        try (Jedis other = new Jedis("127.0.0.1", server.port())) {
            other.clientSetname("worker");
            other.select(4);
            long otherId = other.clientId();
            String list = jedis.clientList();
            assertThat(list.lines()).hasSize(2);
            assertThat(list).contains("id=" + otherId + " ").contains("name=worker").contains("db=4");
            assertThat(jedis.sendCommand(Protocol.Command.CLIENT, "KILL", "ID", Long.toString(otherId))).isEqualTo(1L);
            assertThatThrownBy(other::ping).isInstanceOf(redis.clients.jedis.exceptions.JedisConnectionException.class);
            assertThat(jedis.clientList().lines()).hasSize(1);
            assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.CLIENT, "KILL", "127.0.0.1:1")).hasMessage("ERR No such client");
            assertThat(jedis.sendCommand(Protocol.Command.CLIENT, "NO-EVICT", "on")).isEqualTo("OK".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
    }
}

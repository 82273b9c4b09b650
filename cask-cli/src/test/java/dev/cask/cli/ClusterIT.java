package dev.cask.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cask.core.Cask;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * {@code cask cluster} with real processes: N {@code cask serve} nodes from the real jar behind
 * Debian's nutcracker, clients through the proxy with Jedis. Keys spread over every node and hash
 * tags keep keys together; a node killed with SIGKILL costs only its own keys and comes back with
 * them; SIGTERM (and {@code cluster down}) stops everything, every node synced.
 */
class ClusterIT {
    @TempDir
    Path dir;

    private Process up;

    @AfterEach
    void stop() throws Exception {
        if (up != null && up.isAlive()) {
            up.destroy();
            up.waitFor(120, TimeUnit.SECONDS);
        }
    }

    /** A proxy port with the nodes' ports and the stats port after it, all free now. */
    private static int freePorts(int nodes) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = 20000 + ThreadLocalRandom.current().nextInt(12000); // below Linux's ephemeral range (32768 on): no client socket takes one meanwhile
            boolean free = true;
            for (int p = base; p <= base + nodes + 1 && free; p++) {
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(new InetSocketAddress("127.0.0.1", p));
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) return base;
        }
        throw new IOException("no block of free ports");
    }

    /** Starts {@code cask cluster up} and waits for its first line; returns the proxy port. */
    private int up(int nodes, String... extra) throws Exception {
        int port = freePorts(nodes);
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar", CaskProcess.jar().toString(),
                "cluster", "up", "--nodes", Integer.toString(nodes), "--proxy-port", Integer.toString(port), "--dir", dir.resolve("cluster").toString()));
        command.addAll(List.of(extra));
        up = new ProcessBuilder(command).redirectError(dir.resolve("up.err").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        assertThat(first).as("cluster up said (stderr: %s)", Files.exists(dir.resolve("up.err")) ? Files.readString(dir.resolve("up.err")) : "")
                .contains("proxy listening on 127.0.0.1:" + port);
        Thread.ofPlatform().daemon().start(() -> {
            try {
                while (out.readLine() != null) { /* the rest of its lines */ }
            } catch (IOException gone) {
                // stopped
            }
        });
        return port;
    }

    private Properties state() throws IOException {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(dir.resolve("cluster").resolve(ClusterLayout.STATE_FILE))) {
            p.load(r);
        }
        return p;
    }

    private static long pid(Properties state, String name) {
        return Long.parseLong(state.getProperty(name));
    }

    private static int port(Properties state, int node) {
        return Integer.parseInt(state.getProperty("node." + node + ".port"));
    }

    @Test
    void keysSpreadOverEveryNodeHashTagsLandTogetherAndSigtermStopsEverythingSynced() throws Exception {
        int nodes = 3;
        int keys = 3000;
        int proxy = up(nodes, "--sync", "always");
        Properties state = state();
        try (Jedis client = new Jedis("127.0.0.1", proxy)) {
            for (int i = 0; i < keys; i++) assertThat(client.set("key:" + i, "value-" + i)).isEqualTo("OK");
            for (int i = 0; i < keys; i++) assertThat(client.get("key:" + i)).isEqualTo("value-" + i);
            for (String field : List.of("name", "email", "cart")) client.set("{user:42}:" + field, field);
        }
        long total = 0;
        int holdingTheTag = 0;
        for (int n = 0; n < nodes; n++) {
            try (Jedis node = new Jedis("127.0.0.1", port(state, n))) {
                long tagged = node.exists("{user:42}:name", "{user:42}:email", "{user:42}:cart");
                assertThat(tagged).as("node-%d holds all three tagged keys or none", n).isIn(0L, 3L);
                if (tagged == 3) holdingTheTag++;
                long size = node.dbSize() - tagged;
                // 1/N of the keys each, within 25% (docs/SCALE-OUT.md: ketama with murmur measured within 12%)
                assertThat(size).as("keys on node-%d", n).isBetween((long) (0.75 * keys / nodes), (long) (1.25 * keys / nodes));
                total += size;
            }
        }
        assertThat(total).isEqualTo(keys);
        assertThat(holdingTheTag).isEqualTo(1);
        CaskProcess.Result status = CaskProcess.run("cluster", "status", "--dir", dir.resolve("cluster").toString());
        assertThat(status.exitCode()).as(status.out() + status.stderr()).isZero();
        assertThat(status.out()).contains("proxy").contains("node-0").contains("node-2").doesNotContain("DOWN");

        up.destroy(); // SIGTERM
        assertThat(up.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(up.exitValue()).as(Files.readString(dir.resolve("up.err"))).isEqualTo(143); // a JVM's status after SIGTERM, once its hooks ran
        assertThat(ProcessHandle.of(pid(state, "proxy.pid")).map(ProcessHandle::isAlive).orElse(false)).as("nutcracker still running").isFalse();
        for (int n = 0; n < nodes; n++) {
            assertThat(ProcessHandle.of(pid(state, "node." + n + ".pid")).map(ProcessHandle::isAlive).orElse(false)).as("node-%d still running", n).isFalse();
        }
        assertThat(dir.resolve("cluster").resolve(ClusterLayout.STATE_FILE)).doesNotExist();
        assertThat(Files.readString(dir.resolve("up.err"))).contains("node-0 stopped").contains("node-2 stopped").doesNotContain("killed");
        for (int n = 0; n < nodes; n++) { // each node's own SIGTERM path: finish replies, sync, close
            assertThat(Files.readString(dir.resolve("cluster").resolve("node-" + n + ".log"))).contains("shutting down").contains("INFO [main] stopped");
        }
        int[] copies = new int[keys];
        for (int n = 0; n < nodes; n++) {
            try (Cask cask = Cask.open(dir.resolve("cluster").resolve("node-" + n))) {
                assertThat(cask.recoveryReport().messages()).as("node-%d closed cleanly", n).isEmpty();
                for (int i = 0; i < keys; i++) {
                    byte[] v = cask.get(("key:" + i).getBytes(StandardCharsets.UTF_8));
                    if (v != null) {
                        assertThat(new String(v, StandardCharsets.UTF_8)).isEqualTo("value-" + i);
                        copies[i]++;
                    }
                }
            }
        }
        assertThat(copies).as("every key on exactly one node's disk").containsOnly(1);
    }

    @Test
    void aNodeKilledWithSigkillCostsOnlyItsKeysAndComesBackWithThem() throws Exception {
        int nodes = 3;
        int keys = 600;
        int proxy = up(nodes, "--restart-delay-ms", "5000");
        Properties state = state();
        Map<String, Integer> home = new HashMap<>();
        try (Jedis client = new Jedis("127.0.0.1", proxy)) {
            for (int i = 0; i < keys; i++) client.set("key:" + i, "value-" + i);
        }
        for (int n = 0; n < nodes; n++) {
            try (Jedis node = new Jedis("127.0.0.1", port(state, n))) {
                for (int i = 0; i < keys; i++) if (node.exists("key:" + i)) home.put("key:" + i, n);
            }
        }
        assertThat(home).hasSize(keys);
        int victim = 1;
        long victimPid = pid(state, "node." + victim + ".pid");
        ProcessHandle.of(victimPid).orElseThrow().destroyForcibly(); // SIGKILL
        while (ProcessHandle.of(victimPid).map(ProcessHandle::isAlive).orElse(false)) Thread.sleep(10);

        int failed = 0;
        int served = 0;
        Jedis client = new Jedis("127.0.0.1", proxy);
        try {
            for (int i = 0; i < keys; i++) {
                String key = "key:" + i;
                try {
                    assertThat(client.get(key)).isEqualTo("value-" + i);
                    assertThat(home.get(key)).as("%s answered though its node is dead", key).isNotEqualTo(victim);
                    served++;
                } catch (JedisException e) {
                    assertThat(home.get(key)).as("%s failed (%s) though its node is up", key, e.getMessage()).isEqualTo(victim);
                    failed++;
                    if (!client.isConnected() || client.isBroken()) {
                        client.close();
                        client = new Jedis("127.0.0.1", proxy);
                    }
                }
            }
        } finally {
            client.close();
        }
        long onVictim = home.values().stream().filter(n -> n == victim).count();
        assertThat(failed).isEqualTo(onVictim);
        assertThat(served).isEqualTo(keys - onVictim);

        // the supervisor restarts it from its own directory; the proxy then serves its keys again
        long deadline = System.nanoTime() + 60_000_000_000L;
        int readable = 0;
        while (System.nanoTime() < deadline && readable < keys) {
            readable = 0;
            try (Jedis again = new Jedis("127.0.0.1", proxy)) {
                for (int i = 0; i < keys; i++) if (("value-" + i).equals(again.get("key:" + i))) readable++;
            } catch (JedisException notYet) {
                Thread.sleep(200);
            }
        }
        assertThat(readable).as("keys readable through the proxy after the restart").isEqualTo(keys);
        assertThat(Files.readString(dir.resolve("up.err"))).contains("node-1 (pid " + victimPid + ") exited");

        CaskProcess.Result down = CaskProcess.run("cluster", "down", "--dir", dir.resolve("cluster").toString());
        assertThat(down.exitCode()).as(down.out() + down.stderr()).isZero();
        assertThat(up.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ProcessHandle.of(pid(state, "proxy.pid")).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        for (int n = 0; n < nodes; n++) {
            int node = n;
            assertThat(ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().commandLine().map(c -> c.contains(dir.resolve("cluster").resolve("node-" + node).toString())).orElse(false))
                    .count()).as("processes left serving node-%d", n).isZero();
        }
    }

    /**
     * The commands docs/SCALE-OUT.md lists as forwarded, through the proxy to 3 nodes and
     * directly to one node, in the same order: every reply the same. Keys that a command uses
     * together share a hash tag, as the page tells users to do. The ones it lists as refused close
     * the connection through the proxy.
     */
    @Test
    void everyForwardedCommandAnswersThroughTheProxyAsDirectly() throws Exception {
        List<String> forwarded = List.of(
                "PING", "SET {a}k v", "GET {a}k", "SETNX {a}k2 v", "SETEX {a}k3 100 v", "PSETEX {a}k4 100000 v", "GETSET {a}k v2", "GETDEL {a}k2",
                "GETEX {a}k PERSIST", "MGET {a}k {a}k3 nothing", "MSET x 1 y 2", "INCR n", "DECR n", "INCRBY n 5", "DECRBY n 2", "INCRBYFLOAT f 1.5",
                "APPEND {a}k x", "STRLEN {a}k", "SETRANGE {a}k 1 ab", "GETRANGE {a}k 0 2", "DEL x y", "UNLINK {a}k3", "EXISTS {a}k {a}k4 {a}none",
                "TOUCH {a}k", "TYPE {a}k", "EXPIRE {a}k 100", "PERSIST {a}k", "PEXPIRE {a}k4 100000", "COPY {a}k {a}k7", "GET {a}k7",
                "HSET h f v g w", "HGET h f", "HMGET h f nope", "HINCRBY h n 1", "HINCRBYFLOAT h x 1.5", "HDEL h g", "HEXISTS h f", "HLEN h",
                "HSETNX h z 1", "HSTRLEN h f", "HKEYS h", "HVALS h", "HGETALL h",
                "SADD {s}a m1 m2 m3", "SREM {s}a m3", "SISMEMBER {s}a m1", "SMISMEMBER {s}a m1 m9", "SCARD {s}a", "SMOVE {s}a {s}b m1",
                "SINTER {s}a {s}b", "SUNIONSTORE {s}c {s}a {s}b", "SDIFF {s}c {s}b", "SMEMBERS {s}b",
                "RPUSH {l}a x y z", "LPUSH {l}a w", "LPUSHX {l}a v", "RPUSHX {l}a u", "LPOP {l}a", "RPOP {l}a", "LLEN {l}a", "LINDEX {l}a 0",
                "LRANGE {l}a 0 -1", "LSET {l}a 0 q", "LINSERT {l}a BEFORE y p", "LREM {l}a 1 q", "LPOS {l}a y", "LTRIM {l}a 0 10",
                "LMOVE {l}a {l}b LEFT RIGHT", "RPOPLPUSH {l}a {l}b", "LRANGE {l}b 0 -1",
                "ZADD {z}a 1 a 2 b 3 c", "ZINCRBY {z}a 5 a", "ZREM {z}a b", "ZSCORE {z}a a", "ZMSCORE {z}a a b", "ZCARD {z}a", "ZCOUNT {z}a 0 10",
                "ZRANK {z}a c", "ZREVRANK {z}a c", "ZRANGE {z}a 0 -1 WITHSCORES", "ZRANGESTORE {z}b {z}a 0 -1", "ZPOPMIN {z}b", "ZPOPMAX {z}b",
                "ZADD {z}c 0 a 0 b 0 c", "ZRANGEBYLEX {z}c - +", "ZLEXCOUNT {z}c - +", "ZREMRANGEBYLEX {z}c [a [a", "ZREMRANGEBYRANK {z}c 0 0",
                "ZREMRANGEBYSCORE {z}c 0 0", "ZUNIONSTORE {z}d 2 {z}a {z}c", "ZINTERSTORE {z}e 2 {z}a {z}d", "ZREVRANGE {z}d 0 -1",
                "ZRANGEBYSCORE {z}d 0 100", "DUMP {a}k", "TTL {a}k4", "EXISTS {a}k");
        List<String> refused = List.of("ECHO hi", "MSETNX q 1 r 2", "RENAME {a}k {a}k9", "MOVE {a}k 1", "RANDOMKEY", "KEYS *", "SCAN 0", "DBSIZE",
                "SELECT 1", "FLUSHALL", "MULTI", "WATCH {a}k", "INFO", "CONFIG GET maxclients", "BLPOP {l}a 0", "BZPOPMIN {z}a 0", "SINTERCARD 1 {s}a");
        int proxy = up(3);
        try (ServeProcess direct = ServeProcess.start(dir.resolve("direct"), dir)) {
            for (String command : forwarded) {
                String[] words = command.split(" ");
                String viaProxy = exchange(proxy, words);
                String viaDirect = exchange(direct.port(), words);
                if (command.startsWith("TTL")) {
                    assertThat(viaProxy).startsWith(":");
                    continue; // read a moment apart
                }
                assertThat(viaProxy).as("%s through the proxy", command).isEqualTo(viaDirect);
            }
            for (String command : refused) assertThat(exchange(proxy, command.split(" "))).as("%s through the proxy", command).isEqualTo("closed");
        }
    }

    /** One request on a new connection; the whole reply as text, or "closed" if the peer closed instead. */
    private static String exchange(int port, String... words) throws IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            StringBuilder request = new StringBuilder("*").append(words.length).append("\r\n");
            for (String w : words) request.append('$').append(w.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(w).append("\r\n");
            s.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
            var in = new java.io.BufferedInputStream(s.getInputStream());
            try {
                return reply(in);
            } catch (java.io.EOFException | java.net.SocketException e) {
                return "closed";
            }
        }
    }

    private static String reply(java.io.InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) throw new java.io.EOFException();
            line.append((char) b);
        }
        String head = line.toString().strip();
        char type = head.charAt(0);
        if (type == '$') {
            int n = Integer.parseInt(head.substring(1));
            if (n < 0) return head;
            byte[] body = in.readNBytes(n + 2);
            return head + " " + new String(body, 0, Math.min(n, body.length), StandardCharsets.ISO_8859_1);
        }
        if (type == '*') {
            int n = Integer.parseInt(head.substring(1));
            StringBuilder all = new StringBuilder(head).append(" [");
            for (int i = 0; i < n; i++) all.append(reply(in)).append(i + 1 < n ? ", " : "");
            return all.append(']').toString();
        }
        return head;
    }

    @Test
    void refusesWhatItCannotDo() throws Exception {
        CaskProcess.Result none = CaskProcess.run("cluster", "status", "--dir", dir.resolve("nothing").toString());
        assertThat(none.exitCode()).isEqualTo(3);
        assertThat(none.stderr()).contains("no cluster under");
        CaskProcess.Result zero = CaskProcess.run("cluster", "up", "--nodes", "0", "--dir", dir.resolve("c").toString());
        assertThat(zero.exitCode()).isEqualTo(2);
        assertThat(zero.stderr()).contains("--nodes must be 1 .. 64");
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            CaskProcess.Result busy = CaskProcess.run("cluster", "up", "--nodes", "1", "--proxy-port", Integer.toString(taken.getLocalPort()),
                    "--first-node-port", Integer.toString(freePorts(1)), "--dir", dir.resolve("c").toString()); // nodes on ports known to be free
            assertThat(busy.exitCode()).isEqualTo(3);
            assertThat(busy.stderr()).contains("port " + taken.getLocalPort() + " is taken");
        }
    }
}

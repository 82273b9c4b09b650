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
            int base = 20000 + ThreadLocalRandom.current().nextInt(30000);
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
            assertThat(Files.readString(dir.resolve("cluster").resolve("node-" + n + ".log"))).contains("shutting down").contains("cask serve: stopped");
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
                    "--dir", dir.resolve("c").toString());
            assertThat(busy.exitCode()).isEqualTo(3);
            assertThat(busy.stderr()).contains("port " + taken.getLocalPort() + " is taken");
        }
    }
}

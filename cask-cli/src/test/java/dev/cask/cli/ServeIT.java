package dev.cask.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cask.core.Cask;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/** {@code cask serve} from the real jar, with the system's redis-cli and redis-benchmark, SIGTERM and SIGKILL. */
class ServeIT {
    @TempDir
    Path dir;

    private ServeProcess serve(String... extra) throws IOException {
        ServeProcess s = ServeProcess.start(dir.resolve("db"), dir, extra);
        return s;
    }

    static String run(String stdin, String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + " said: " + out).isZero();
        return out;
    }

    @Test
    void redisCliWorksUnchanged() throws Exception {
        try (ServeProcess s = serve()) {
            String p = Integer.toString(s.port());
            assertThat(run(null, "redis-cli", "-p", p, "PING")).isEqualTo("PONG\n");
            assertThat(run(null, "redis-cli", "-p", p, "SET", "greeting", "hello world")).isEqualTo("OK\n");
            assertThat(run(null, "redis-cli", "-p", p, "GET", "greeting")).isEqualTo("hello world\n");
            assertThat(run("SET n 41\nINCR n\nMGET n greeting nosuch\nTTL n\n", "redis-cli", "-p", p))
                    .isEqualTo("OK\n42\n42\nhello world\n\n-1\n");
            assertThat(run(null, "redis-cli", "-p", p, "NOSUCH", "x")).contains("ERR unknown command 'NOSUCH'");
            assertThat(run(null, "redis-cli", "-p", p, "INFO", "server")).contains("io_thread:cask-io", "redis_version:");
            assertThat(run(null, "redis-cli", "-p", p, "--scan", "--pattern", "gr*")).isEqualTo("greeting\n");
            assertThat(run(null, "redis-cli", "-p", p, "DBSIZE")).isEqualTo("2\n");
        }
    }

    @Test
    void redisBenchmarkRunsWithZeroErrors() throws Exception {
        try (ServeProcess s = serve("--sync", "always")) {
            String out = run(null, "redis-benchmark", "-p", Integer.toString(s.port()), "-t", "set,get", "-n", "20000", "-c", "20",
                    "-r", "1000", "-q");
            // redis-benchmark 7 exits non-zero at the first error reply, which run() would report
            assertThat(out).containsPattern("SET: [0-9.]+ requests per second").containsPattern("GET: [0-9.]+ requests per second")
                    .doesNotContain("ERR");
            try (Jedis j = new Jedis("127.0.0.1", s.port())) {
                assertThat(j.dbSize()).isBetween(1L, 1000L);
                assertThat(j.info("stats")).contains("command_threads:1");
                assertThat(j.info("persistence")).contains("sync_policy:always", "writes_held_for_force:1");
            }
        }
    }

    @Test
    void sigkillUnderSyncAlwaysLosesNoAcknowledgedWrite() throws Exception {
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        try (ServeProcess s = serve("--sync", "always")) {
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                int id = w;
                writers.add(Thread.ofPlatform().start(() -> {
                    try (Jedis j = new Jedis("127.0.0.1", s.port())) {
                        for (int i = 0; !stop.get(); i++) {
                            String key = "w" + id + ":" + i;
                            if ("OK".equals(j.set(key, "value-" + key))) acknowledged.add(key);
                        }
                    } catch (RuntimeException killed) {
                        // the server died under us: what was acknowledged before is what counts
                    }
                }));
            }
            Thread.sleep(2000);
            s.process().destroyForcibly(); // SIGKILL
            assertThat(s.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            stop.set(true);
            for (Thread t : writers) t.join();
        }
        assertThat(acknowledged).hasSizeGreaterThan(100);
        try (Cask cask = Cask.open(dir.resolve("db"))) {
            for (String key : acknowledged) {
                assertThat(cask.get(key.getBytes(StandardCharsets.UTF_8))).as(key).isEqualTo(("value-" + key).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /**
     * Transactions under --sync always, killed mid-stream: every transaction is whole or absent
     * after the restart (its five keys and its increment of the writer's counter together), and
     * every one whose EXEC was answered is there.
     */
    @Test
    void sigkillDuringTransactionsLeavesEachWholeOrAbsent() throws Exception {
        int writers = 4;
        int keysPerTransaction = 5;
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        int[] attempted = new int[writers];
        AtomicBoolean stop = new AtomicBoolean();
        try (ServeProcess s = serve("--sync", "always")) {
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                threads.add(Thread.ofPlatform().start(() -> {
                    try (Jedis j = new Jedis("127.0.0.1", s.port())) {
                        for (int i = 0; !stop.get(); i++) {
                            attempted[id] = i + 1;
                            redis.clients.jedis.Transaction t = j.multi();
                            for (int k = 0; k < keysPerTransaction; k++) t.set("tx:" + id + ":" + i + ":" + k, "v" + i);
                            t.incr("count:" + id);
                            if (t.exec() != null) acknowledged.add(id + ":" + i);
                        }
                    } catch (RuntimeException killed) {
                        // the server died under us: what was acknowledged before is what counts
                    }
                }));
            }
            Thread.sleep(2000);
            s.process().destroyForcibly(); // SIGKILL
            assertThat(s.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            stop.set(true);
            for (Thread t : threads) t.join();
        }
        assertThat(acknowledged).hasSizeGreaterThan(20);
        try (Cask cask = Cask.open(dir.resolve("db"))) {
            for (int w = 0; w < writers; w++) {
                int whole = 0;
                for (int i = 0; i < attempted[w]; i++) {
                    int present = 0;
                    for (int k = 0; k < keysPerTransaction; k++) {
                        if (cask.get(("tx:" + w + ":" + i + ":" + k).getBytes(StandardCharsets.UTF_8)) != null) present++;
                    }
                    assertThat(present).as("transaction %d of writer %d: whole or absent", i, w).isIn(0, keysPerTransaction);
                    if (acknowledged.contains(w + ":" + i)) assertThat(present).as("acknowledged transaction %d of writer %d", i, w).isEqualTo(keysPerTransaction);
                    if (present == keysPerTransaction) whole++;
                }
                byte[] count = cask.get(("count:" + w).getBytes(StandardCharsets.UTF_8));
                assertThat(count == null ? 0 : Integer.parseInt(new String(count, StandardCharsets.US_ASCII)))
                        .as("writer %d's counter counts exactly its whole transactions", w).isEqualTo(whole);
            }
        }
    }

    @Test
    void sigtermAndShutdownStopCleanly() throws Exception {
        try (ServeProcess s = serve()) {
            try (Jedis j = new Jedis("127.0.0.1", s.port())) {
                j.set("k", "v");
            }
            s.process().destroy(); // SIGTERM
            assertThat(s.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(s.errors()).contains("shutting down", "stopped");
        }
        try (ServeProcess s = serve()) {
            String p = Integer.toString(s.port());
            assertThat(run(null, "redis-cli", "-p", p, "GET", "k")).isEqualTo("v\n");
            run(null, "redis-cli", "-p", p, "SET", "k2", "v2");
            new ProcessBuilder("redis-cli", "-p", p, "SHUTDOWN").start().waitFor(30, TimeUnit.SECONDS);
            assertThat(s.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(s.process().exitValue()).isZero();
        }
        try (Cask cask = Cask.open(dir.resolve("db"))) { // the lock is released and both writes are there
            assertThat(cask.get("k2".getBytes())).isEqualTo("v2".getBytes());
        }
    }

    @Test
    void refusesAnUnprotectedPublicAddress() throws Exception {
        CaskProcess.Result r = CaskProcess.run("--dir", dir.resolve("db").toString(), "serve", "--bind", "0.0.0.0", "--port", "0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("refusing to listen on 0.0.0.0 without --requirepass");
        CaskProcess.Result help = CaskProcess.run("serve", "--help");
        assertThat(help.out()).contains("default 6380");
    }
}

package dev.cask.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

/**
 * SIGKILL of {@code cask serve --sync always} while clients change hashes, sets, lists and
 * sorted sets, then a restart from the same directory: each collection equals a state the
 * acknowledged writes allow. Collections live as many records (metadata and elements), so this is
 * where a half-written change would show.
 */
class CollectionsCrashIT {
    @TempDir
    Path dir;

    private static final int WRITERS = 4;

    /** Lets the clients run 2.5 s, kills the server with SIGKILL under them, then stops and joins them. */
    private static void killMidStream(ServeProcess s, List<Thread> threads, AtomicBoolean stop) throws InterruptedException {
        Thread.sleep(2500);
        s.process().destroyForcibly(); // SIGKILL
        assertThat(s.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        stop.set(true);
        for (Thread t : threads) t.join();
    }

    /**
     * Each writer's step i, one EXEC: push i on its list, set field f-i of its hash and delete
     * f-(i-3), add m-i to its set and sorted set (score i), and replace its scratch list (a DEL,
     * whose elements the sweeper clears later, then a push). After the crash every writer's
     * collections agree on one n with acknowledged <= n <= attempted: nothing half-applied, no
     * acknowledged step lost, none from the future.
     */
    @Test
    void eachWriterFindsItsCollectionsAtOneStepNoEarlierThanAcknowledged() throws Exception {
        int[] acknowledged = new int[WRITERS];
        int[] attempted = new int[WRITERS];
        AtomicBoolean stop = new AtomicBoolean();
        try (ServeProcess s = ServeProcess.start(dir.resolve("db"), dir, "--sync", "always")) {
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int id = w;
                threads.add(Thread.ofPlatform().start(() -> {
                    try (Jedis j = new Jedis("127.0.0.1", s.port())) {
                        for (int i = 0; !stop.get(); i++) {
                            attempted[id] = i + 1;
                            Transaction t = j.multi();
                            t.rpush("list:" + id, Integer.toString(i));
                            t.hset("hash:" + id, "f-" + i, "v-" + i);
                            if (i >= 3) t.hdel("hash:" + id, "f-" + (i - 3));
                            t.sadd("set:" + id, "m-" + i);
                            t.zadd("zset:" + id, i, "m-" + i);
                            t.del("scratch:" + id);
                            t.rpush("scratch:" + id, "a-" + i, "b-" + i);
                            if (t.exec() != null) acknowledged[id] = i + 1;
                        }
                    } catch (RuntimeException killed) {
                        // the server died under us: what was acknowledged before is what counts
                    }
                }));
            }
            killMidStream(s, threads, stop);
        }
        try (ServeProcess s = ServeProcess.start(dir.resolve("db"), dir); Jedis j = new Jedis("127.0.0.1", s.port())) {
            for (int w = 0; w < WRITERS; w++) {
                assertThat(acknowledged[w]).as("writer %d made progress", w).isGreaterThan(5);
                List<String> list = j.lrange("list:" + w, 0, -1);
                int n = list.size();
                assertThat(n).as("writer %d: acknowledged %d, attempted %d", w, acknowledged[w], attempted[w])
                        .isBetween(acknowledged[w], attempted[w]);
                List<String> expectedList = new ArrayList<>();
                Set<String> members = new HashSet<>();
                for (int i = 0; i < n; i++) {
                    expectedList.add(Integer.toString(i));
                    members.add("m-" + i);
                }
                assertThat(list).as("list of writer %d", w).isEqualTo(expectedList);
                Map<String, String> hash = j.hgetAll("hash:" + w);
                Set<String> fields = new HashSet<>();
                for (int i = Math.max(0, n - 3); i < n; i++) fields.add("f-" + i);
                assertThat(hash.keySet()).as("hash of writer %d", w).isEqualTo(fields);
                for (String f : fields) assertThat(hash.get(f)).isEqualTo("v-" + f.substring(2));
                assertThat(j.hlen("hash:" + w)).isEqualTo(fields.size());
                assertThat(j.smembers("set:" + w)).as("set of writer %d", w).isEqualTo(members);
                assertThat(j.scard("set:" + w)).isEqualTo(n);
                assertThat(j.zcard("zset:" + w)).as("sorted set of writer %d", w).isEqualTo(n);
                List<String> ranked = j.zrange("zset:" + w, 0, -1);
                for (int i = 0; i < n; i++) assertThat(ranked.get(i)).isEqualTo("m-" + i);
                assertThat(j.lrange("scratch:" + w, 0, -1)).as("scratch list of writer %d", w)
                        .containsExactly("a-" + (n - 1), "b-" + (n - 1));
            }
        }
    }

    /**
     * A job queue under {@code --sync always}: producers RPUSH, consumers BRPOP with a timeout,
     * killed mid-stream. After the restart no acknowledged push is lost (each such job is still
     * queued or was handed out), and no job handed out is queued again: an answered BRPOP is as
     * durable as an answered push.
     */
    @Test
    void aJobQueueKilledMidStreamLosesNoJobAndHandsNoneOutTwice() throws Exception {
        Set<String> pushed = ConcurrentHashMap.newKeySet();
        Set<String> handedOut = ConcurrentHashMap.newKeySet();
        Set<String> handedOutTwice = ConcurrentHashMap.newKeySet();
        // a BRPOP the server made durable but whose reply the kill cut off hands out a job nobody saw: at most one a
        // consumer that died inside its call (a clean-clone CI run met one such job among 17,000)
        AtomicInteger consumersKilledInACall = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        try (ServeProcess s = ServeProcess.start(dir.resolve("db"), dir, "--sync", "always")) {
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                int id = p;
                threads.add(Thread.ofPlatform().start(() -> {
                    try (Jedis j = new Jedis("127.0.0.1", s.port())) {
                        for (int i = 0; !stop.get(); i++) {
                            String job = "job-" + id + "-" + i;
                            j.rpush("jobs", job);
                            pushed.add(job);
                        }
                    } catch (RuntimeException killed) {
                        // the server died under us
                    }
                }));
            }
            for (int c = 0; c < 3; c++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try (Jedis j = new Jedis("127.0.0.1", s.port())) {
                        while (!stop.get()) {
                            List<String> got = j.brpop(1, "jobs");
                            if (got != null && !handedOut.add(got.get(1))) handedOutTwice.add(got.get(1));
                        }
                    } catch (RuntimeException killed) {
                        consumersKilledInACall.incrementAndGet(); // the server died under this consumer's BRPOP
                    }
                }));
            }
            killMidStream(s, threads, stop);
        }
        assertThat(handedOutTwice).as("jobs handed out twice").isEmpty();
        assertThat(pushed).hasSizeGreaterThan(50);
        assertThat(handedOut).hasSizeGreaterThan(10);
        try (ServeProcess s = ServeProcess.start(dir.resolve("db"), dir); Jedis j = new Jedis("127.0.0.1", s.port())) {
            List<String> queued = j.lrange("jobs", 0, -1);
            assertThat(new HashSet<>(queued)).as("no job queued twice").hasSize(queued.size());
            for (String job : handedOut) assertThat(queued).as("handed out, so not queued again").doesNotContain(job);
            Set<String> unaccounted = new HashSet<>(pushed);
            unaccounted.removeAll(queued);
            unaccounted.removeAll(handedOut);
            assertThat(unaccounted.size())
                    .as("acknowledged pushes neither queued nor handed out (%s): at most one per BRPOP the kill cut off", unaccounted)
                    .isLessThanOrEqualTo(consumersKilledInACall.get());
        }
    }
}

package dev.cask.resp;

import static dev.cask.resp.RawClient.command;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BZPOPMIN and BZPOPMAX on the one event loop, with real
 * clients on real sockets: a blocked client is parked (the loop goes on serving the others),
 * woken by the write that serves it, first parked first, and answered nil at its timeout; what it
 * sent meanwhile runs after its answer.
 */
class BlockingCommandsTest {
    @TempDir
    Path dir;

    /** Waits until the server reports {@code n} blocked clients (the request reached the loop and parked). */
    private static void awaitBlocked(Jedis jedis, long n) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        String line = "";
        while (System.nanoTime() < deadline) {
            for (String l : jedis.info("clients").split("\r\n")) if (l.startsWith("blocked_clients:")) line = l;
            if (line.equals("blocked_clients:" + n)) return;
            Thread.sleep(5);
        }
        throw new AssertionError("expected " + n + " blocked clients, INFO says " + line);
    }

    /** Asserts that nothing arrives on {@code client} for a moment: it is still blocked. */
    private static void assertSilent(RawClient client) throws Exception {
        client.socket.setSoTimeout(300);
        assertThatThrownBy(() -> client.in.read()).isInstanceOf(SocketTimeoutException.class);
        client.socket.setSoTimeout(20_000);
    }

    @Test
    void aPushWakesTheBlockedPopAndTheRequestsItSentMeanwhileRunAfterIt() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port());
             RawClient waiter = new RawClient(server.port())) {
            waiter.send(command("BLPOP", "jobs", "0") + command("PING") + command("LLEN", "jobs"));
            awaitBlocked(jedis, 1);
            assertSilent(waiter);
            assertThat(jedis.ping()).isEqualTo("PONG"); // the loop serves others meanwhile
            assertThat(jedis.rpush("jobs", "job-1", "job-2")).isEqualTo(2);
            assertThat(waiter.reply()).isEqualTo("*2\r\n$4\r\njobs\r\n$5\r\njob-1\r\n");
            assertThat(waiter.reply()).isEqualTo("+PONG\r\n");
            assertThat(waiter.reply()).isEqualTo(":1\r\n");
            assertThat(jedis.lrange("jobs", 0, -1)).containsExactly("job-2");
            awaitBlocked(jedis, 0);
        }
    }

    @Test
    void waitersAreServedFirstParkedFirstAndEachGetsOneElement() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port());
             RawClient first = new RawClient(server.port()); RawClient second = new RawClient(server.port());
             RawClient third = new RawClient(server.port())) {
            first.send(command("BRPOP", "q", "0"));
            awaitBlocked(jedis, 1);
            second.send(command("BRPOP", "other", "q", "0"));
            awaitBlocked(jedis, 2);
            third.send(command("BRPOP", "q", "0"));
            awaitBlocked(jedis, 3);
            assertThat(jedis.lpush("q", "a", "b")).isEqualTo(2); // q is [b, a]: the tail first
            assertThat(first.reply()).isEqualTo("*2\r\n$1\r\nq\r\n$1\r\na\r\n");
            assertThat(second.reply()).isEqualTo("*2\r\n$1\r\nq\r\n$1\r\nb\r\n");
            assertSilent(third);
            assertThat(jedis.exists("q")).isFalse();
            jedis.rpush("q", "c");
            assertThat(third.reply()).isEqualTo("*2\r\n$1\r\nq\r\n$1\r\nc\r\n");
        }
    }

    @Test
    void aTimeoutAnswersNilAndTheClientGoesOn() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            long start = System.nanoTime();
            assertThat(jedis.blpop(0.3, "nothing")).isNull();
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(290);
            assertThat(jedis.brpoplpush("nothing", "dst", 1)).isNull();
            assertThat(jedis.bzpopmin(0.05, "nothing")).isNull();
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
        try (TestServer server = TestServer.start(dir); RawClient raw = new RawClient(server.port())) {
            raw.send(command("HELLO", "3"));
            raw.reply(); // the map is not read by RawClient's RESP2 reader: read what remains
            raw.socket.setSoTimeout(200);
            try {
                while (raw.in.read() >= 0) { /* drain HELLO's map */ }
            } catch (SocketTimeoutException drained) {
                raw.socket.setSoTimeout(20_000);
            }
            raw.send(command("BLPOP", "nothing", "0.05") + command("BLMOVE", "nothing", "d", "LEFT", "RIGHT", "0.05"));
            assertThat(raw.line()).isEqualTo("_\r\n");
            assertThat(raw.line()).isEqualTo("_\r\n");
        }
        try (TestServer server = TestServer.start(dir); RawClient raw = new RawClient(server.port())) {
            raw.send(command("BRPOPLPUSH", "nothing", "d", "0.05")); // a null array even for the moves, as Redis 7.0 times them out
            assertThat(raw.line()).isEqualTo("*-1\r\n");
        }
    }

    @Test
    void blmoveWakesTheClientBlockedOnItsDestination() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port());
             RawClient mover = new RawClient(server.port()); RawClient consumer = new RawClient(server.port())) {
            mover.send(command("BLMOVE", "incoming", "processing", "RIGHT", "LEFT", "0"));
            consumer.send(command("BLPOP", "processing", "0"));
            awaitBlocked(jedis, 2);
            jedis.lpush("incoming", "task");
            assertThat(mover.reply()).isEqualTo("$4\r\ntask\r\n");
            assertThat(consumer.reply()).isEqualTo("*2\r\n$10\r\nprocessing\r\n$4\r\ntask\r\n");
            assertThat(jedis.exists("incoming", "processing")).isZero();
        }
    }

    @Test
    void bzpopminAndBzpopmaxTakeTheLowestAndTheHighest() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port());
             RawClient low = new RawClient(server.port()); RawClient high = new RawClient(server.port())) {
            low.send(command("BZPOPMIN", "delayed", "0"));
            high.send(command("BZPOPMAX", "delayed", "0"));
            awaitBlocked(jedis, 2);
            jedis.zadd("delayed", java.util.Map.of("a", 1.5, "b", 2.0, "c", 3.0));
            assertThat(low.reply()).isEqualTo("*3\r\n$7\r\ndelayed\r\n$1\r\na\r\n$3\r\n1.5\r\n");
            assertThat(high.reply()).isEqualTo("*3\r\n$7\r\ndelayed\r\n$1\r\nc\r\n$1\r\n3\r\n");
            assertThat(jedis.zrange("delayed", 0, -1)).containsExactly("b");
        }
    }

    @Test
    void insideExecABlockingPopNeverWaits() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            jedis.rpush("full", "x");
            Transaction t = jedis.multi();
            t.blpop(0, "empty");
            t.blpop(0, "full");
            t.brpoplpush("empty", "d", 0);
            List<Object> replies = t.exec();
            assertThat(replies).hasSize(3);
            assertThat(replies.get(0)).isNull();
            assertThat((List<?>) replies.get(1)).hasSize(2);
            assertThat(replies.get(2)).isNull();
        }
    }

    @Test
    void aClosedWaiterTakesNothingAndBadArgumentsAreRefusedAtOnce() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            try (RawClient gone = new RawClient(server.port())) {
                gone.send(command("BLPOP", "q", "0"));
                awaitBlocked(jedis, 1);
            }
            awaitBlocked(jedis, 0);
            jedis.rpush("q", "kept");
            assertThat(jedis.lrange("q", 0, -1)).containsExactly("kept");

            jedis.set("s", "a string");
            assertThatThrownBy(() -> jedis.blpop(0, "s")).isInstanceOf(JedisDataException.class).hasMessageStartingWith("WRONGTYPE");
            try (RawClient raw = new RawClient(server.port())) {
                raw.send(command("BLPOP", "q", "soon") + command("BRPOP", "q", "-1") + command("BZPOPMIN", "z", "inf")
                        + command("BLMOVE", "a", "b", "UP", "LEFT", "0") + command("BLPOP", "q"));
                assertThat(raw.line()).isEqualTo("-ERR timeout is not a float or out of range\r\n");
                assertThat(raw.line()).isEqualTo("-ERR timeout is negative\r\n");
                assertThat(raw.line()).isEqualTo("-ERR timeout is negative\r\n"); // as Redis 7.0: inf converts to a negative count
                assertThat(raw.line()).isEqualTo("-ERR syntax error\r\n");
                assertThat(raw.line()).isEqualTo("-ERR wrong number of arguments for 'blpop' command\r\n");
            }
            assertThat(jedis.lrange("q", 0, -1)).containsExactly("kept");
        }
    }

    @Test
    void aJobQueueHandsEveryJobToExactlyOneWorker() throws Exception {
        int jobs = 2000;
        int workers = 4;
        try (TestServer server = TestServer.start(dir); Jedis producer = new Jedis("127.0.0.1", server.port())) {
            java.util.concurrent.ConcurrentHashMap<String, Integer> seen = new java.util.concurrent.ConcurrentHashMap<>();
            List<Thread> threads = new java.util.ArrayList<>();
            for (int w = 0; w < workers; w++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try (Jedis worker = new Jedis("127.0.0.1", server.port())) {
                        while (true) {
                            List<String> job = worker.brpop(5, "jobs");
                            if (job == null || job.get(1).equals("stop")) return;
                            seen.merge(job.get(1), 1, Integer::sum);
                        }
                    }
                }));
            }
            for (int i = 0; i < jobs; i++) producer.lpush("jobs", "job-" + i);
            for (int w = 0; w < workers; w++) producer.lpush("jobs", "stop");
            for (Thread t : threads) t.join(60_000);
            assertThat(seen).hasSize(jobs);
            assertThat(seen.values()).allMatch(n -> n == 1);
            assertThat(producer.exists("jobs")).isFalse();
        }
    }
}

package dev.cask.resp;

import static dev.cask.resp.RawClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cask.core.CaskOptions;
import dev.cask.net.ServerLimits;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One client must never stop the server (the hardening issue, server items), over real sockets on
 * the transport under test. Each test says what it did on the code before that issue.
 */
class HostileClientTest {
    @TempDir
    Path dir;

    private static final RespLimits PROTOCOL = RespLimits.forValues(CaskOptions.DEFAULT_MAX_VALUE_SIZE);

    private static void assertServes(int port) throws Exception {
        try (RawClient c = new RawClient(port)) {
            c.send(command("PING"));
            assertThat(c.line()).isEqualTo("+PONG\r\n");
        }
    }

    /** Before: the body of an HTTP POST ran as commands (FLUSHALL emptied the database). */
    @Test
    void anHttpRequestRunsNothingAndClosesTheConnection() throws Exception {
        try (TestServer s = TestServer.start(dir); RawClient c = new RawClient(s.port())) {
            c.send(command("SET", "keep", "me"));
            assertThat(c.line()).isEqualTo("+OK\r\n");
            try (RawClient web = new RawClient(s.port())) {
                web.send("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\nFLUSHALL\r\n");
                assertThat(web.closedByPeer()).isTrue();
            }
            try (RawClient web = new RawClient(s.port())) {
                web.send("Host: 127.0.0.1\r\nFLUSHALL\r\n");
                assertThat(web.closedByPeer()).isTrue();
            }
            c.send(command("GET", "keep"));
            assertThat(c.reply()).isEqualTo("$2\r\nme\r\n");
        }
    }

    /** Before: one reply over 2 GiB (or an OutOfMemoryError while building it) stopped the event loop. */
    @Test
    void pipelinedRepliesPastTheOutputLimitCutOffThatClientAlone() throws Exception {
        ServerLimits limits = new ServerLimits(100, 64 << 10, 16L << 20);
        try (TestServer s = TestServer.start(dir, CaskOptions.defaults(), null, PROTOCOL, limits); RawClient c = new RawClient(s.port())) {
            byte[] big = new byte[1 << 20];
            java.util.Arrays.fill(big, (byte) 'v');
            c.send(("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + big.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            c.send(big).send("\r\n");
            assertThat(c.line()).isEqualTo("+OK\r\n");
            try (RawClient greedy = new RawClient(s.port())) { // never reads: its replies pile up
                try {
                    greedy.send("GET big\r\n".repeat(7000));
                    greedy.send(command("MGET", "big", "big", "big", "big", "big", "big", "big", "big", "big", "big").repeat(200));
                } catch (java.io.IOException cutOffWhileSending) {
                    // the server may cut it off before it has sent everything: that is the point
                }
                assertThat(greedy.closedByPeer()).isTrue();
            }
            assertServes(s.port());
            c.send(command("STRLEN", "big"));
            assertThat(c.line()).isEqualTo(":1048576\r\n");
        }
    }

    /**
     * Before: a client that sent a write and reset the connection could make the loop stop with a
     * NoSuchElementException: sending its held reply closed it, which took it out of the list being walked.
     */
    @Test
    void clientsThatResetWhileTheirRepliesAreHeldDoNotStopTheLoop() throws Exception {
        try (TestServer s = TestServer.start(dir)) {
            for (int i = 0; i < 300; i++) {
                Socket socket = new Socket("127.0.0.1", s.port());
                socket.setSoLinger(true, 0);
                socket.getOutputStream().write(command("SET", "k" + i, "v").repeat(50).getBytes(StandardCharsets.US_ASCII));
                socket.close(); // a reset, while the server may be about to send the held +OKs
            }
            assertServes(s.port());
        }
    }

    /** Before: an unauthenticated client could buffer a whole 1 GiB query, and empty bulks counted nothing. */
    @Test
    void beforeAuthRequestsAreHeldToRedisLimits() throws Exception {
        try (TestServer s = TestServer.start(dir, CaskOptions.defaults(), "secret", PROTOCOL, TestServer.defaultLimits())) {
            try (RawClient c = new RawClient(s.port())) {
                c.send("*11\r\n");
                assertThat(c.line()).isEqualTo("-ERR Protocol error: unauthenticated multibulk length\r\n");
                assertThat(c.closedByPeer()).isTrue();
            }
            try (RawClient c = new RawClient(s.port())) {
                c.send("*2\r\n$3\r\nGET\r\n$16385\r\n");
                assertThat(c.line()).isEqualTo("-ERR Protocol error: unauthenticated bulk length\r\n");
            }
            try (RawClient c = new RawClient(s.port())) { // after AUTH the ordinary limits apply
                c.send(command("AUTH", "secret"));
                assertThat(c.line()).isEqualTo("+OK\r\n");
                c.send(command("SET", "k", "x".repeat(20_000)));
                assertThat(c.line()).isEqualTo("+OK\r\n");
            }
        }
    }

    /**
     * Before: no bound on all clients' buffers together; empty bulks were not counted at all. Past
     * the bound the client holding the most is closed, not the well-behaved one that asked last.
     */
    @Test
    void allClientsBuffersTogetherAreBoundedCountingEmptyBulksAndTheGreediestGoes() throws Exception {
        try (TestServer s = TestServer.start(dir, CaskOptions.defaults(), null, PROTOCOL, TestServer.defaultLimits(), 1 << 20);
             RawClient good = new RawClient(s.port())) {
            try (RawClient flood = new RawClient(s.port())) {
                try {
                    flood.send("*1048576\r\n");
                    flood.send("$0\r\n\r\n".repeat(40_000)); // 40,000 arguments of no bytes: 240 KB sent, far more held
                } catch (java.io.IOException cutOffWhileSending) {
                    // evicted before it finished sending
                }
                assertThat(flood.closedByPeer()).isTrue();
            }
            for (int i = 0; i < 100; i++) {
                good.send(command("SET", "k" + i, "v"));
                assertThat(good.line()).isEqualTo("+OK\r\n");
            }
            assertServes(s.port());
            try (RawClient slow = new RawClient(s.port())) { // a reader that never reads fills the output side
                slow.send(command("SET", "big", "x".repeat(200_000)));
                assertThat(slow.line()).isEqualTo("+OK\r\n");
                try {
                    slow.send(command("GET", "big").repeat(100));
                } catch (java.io.IOException cutOffWhileSending) {
                    // evicted before it finished sending
                }
                for (int i = 0; i < 20; i++) {
                    good.send(command("GET", "k1"));
                    assertThat(good.reply()).isEqualTo("$1\r\nv\r\n");
                }
                assertThat(slow.closedByPeer()).isTrue();
            }
        }
    }

    /** Before: a bulk over 16 KiB was counted twice, so a 600,000-byte SET was refused under a 1 MiB limit. */
    @Test
    void aBulkCountsOnceAgainstTheQueryBufferLimit() throws Exception {
        RespLimits tight = new RespLimits(PROTOCOL.maxBulkLength(), PROTOCOL.maxArrayLength(), 1 << 20);
        try (TestServer s = TestServer.start(dir, CaskOptions.defaults(), null, tight, TestServer.defaultLimits()); RawClient c = new RawClient(s.port())) {
            c.send(command("SET", "k", "x".repeat(600_000)));
            assertThat(c.line()).isEqualTo("+OK\r\n");
            String answer;
            try { // the server answers and closes as soon as the limit is passed, maybe while the rest is still being sent
                c.send(command("SET", "k", "x".repeat(1_100_000)));
                answer = c.line();
            } catch (java.io.IOException closedWhileSending) {
                answer = "";
            }
            assertThat(answer).satisfiesAnyOf(a -> assertThat(a).startsWith("-ERR Protocol error: query buffer"), a -> assertThat(a).isEmpty());
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    /** Before: a client could stay connected for ever without authenticating; there was no idle timeout. */
    @Test
    void idleAndNeverAuthenticatedClientsAreClosed() throws Exception {
        try (TestServer s = TestServer.start(dir, CaskOptions.defaults(), null, PROTOCOL, TestServer.defaultLimits(), -1, c -> c.withTimeouts(1, 1000));
             RawClient idle = new RawClient(s.port()); RawClient busy = new RawClient(s.port())) {
            long start = System.nanoTime();
            while (System.nanoTime() - start < 2_500_000_000L) {
                busy.send(command("PING"));
                assertThat(busy.line()).isEqualTo("+PONG\r\n");
                Thread.sleep(200);
            }
            assertThat(idle.closedByPeer()).isTrue();
            busy.send(command("PING"));
            assertThat(busy.line()).isEqualTo("+PONG\r\n");
        }
        try (TestServer s = TestServer.start(dir, CaskOptions.defaults(), "pw", PROTOCOL, TestServer.defaultLimits(), -1, c -> c.withTimeouts(0, 500));
             RawClient stranger = new RawClient(s.port()); RawClient member = new RawClient(s.port())) {
            member.send(command("AUTH", "pw"));
            assertThat(member.line()).isEqualTo("+OK\r\n");
            assertThat(stranger.closedByPeer()).isTrue();
            member.send(command("PING"));
            assertThat(member.line()).isEqualTo("+PONG\r\n");
        }
    }

    /** Before: {@code --requirepass ""} counted as a password, so a public address was served without one. */
    @Test
    void anEmptyPasswordIsNoPassword() {
        RespConfig config = new RespConfig("0.0.0.0", 0, "", PROTOCOL, TestServer.defaultLimits(), "nio");
        assertThat(config.requirePass()).isNull();
    }

    /** Before: a KEYS with a 60 MiB character class blocked the loop for about a minute. */
    @Test
    void aHugePatternIsRefusedAtOnce() throws Exception {
        try (TestServer s = TestServer.start(dir); RawClient c = new RawClient(s.port())) {
            c.send(command("SET", "k", "v"));
            assertThat(c.line()).isEqualTo("+OK\r\n");
            String pattern = "*[" + "a".repeat(60 << 20) + "]";
            c.send(command("KEYS", pattern));
            assertThat(c.line()).startsWith("-ERR pattern of").contains("too long");
            c.send(command("SCAN", "0", "MATCH", pattern));
            assertThat(c.line()).startsWith("-ERR pattern of");
            assertServes(s.port());
        }
    }

    /**
     * Before: INCR and APPEND read the key's expiry and then its value; when the key expired in between,
     * they wrote the new value with the passed expiry, so INCR answered 1 and the key was gone.
     */
    @Test
    void incrAndAppendNeverWriteAPassedExpiry() throws Exception {
        AtomicLong millis = new AtomicLong(1_700_000_000_000L);
        Clock ticking = new Clock() { // every reading is one millisecond later: expiry lands between any two reads
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(millis.getAndIncrement());
            }

            @Override
            public long millis() {
                return millis.getAndIncrement();
            }
        };
        try (TestServer s = TestServer.start(dir, CaskOptions.defaults().withClock(ticking), null, PROTOCOL, TestServer.defaultLimits());
             RawClient c = new RawClient(s.port())) {
            for (int px = 1; px <= 12; px++) {
                c.send(command("SET", "n" + px, "5", "PX", Integer.toString(px)));
                assertThat(c.line()).isEqualTo("+OK\r\n");
                c.send(command("INCR", "n" + px));
                String incr = c.line();
                if (incr.equals(":1\r\n")) { // the old key had expired: a new one, with no expiry
                    c.send(command("PTTL", "n" + px));
                    assertThat(c.line()).as("px " + px).isEqualTo(":-1\r\n");
                }
                c.send(command("SET", "s" + px, "ab", "PX", Integer.toString(px)));
                assertThat(c.line()).isEqualTo("+OK\r\n");
                c.send(command("APPEND", "s" + px, "cd"));
                String append = c.line();
                if (append.equals(":2\r\n")) {
                    c.send(command("PTTL", "s" + px));
                    assertThat(c.line()).as("px " + px).isEqualTo(":-1\r\n");
                }
            }
        }
    }
}

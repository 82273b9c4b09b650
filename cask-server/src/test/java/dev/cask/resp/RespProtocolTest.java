package dev.cask.resp;

import static dev.cask.resp.RawClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cask.core.CaskOptions;
import dev.cask.net.ServerLimits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import redis.clients.jedis.Jedis;

/** The wire, byte by byte, over real sockets: splitting, pipelining, inline, protocol errors, limits, fairness. */
class RespProtocolTest {
    @TempDir
    Path dir;

    @Test
    void aRequestMayArriveOneByteAtATime() throws Exception {
        try (TestServer server = TestServer.start(dir); RawClient c = new RawClient(server.port())) {
            byte[] bytes = (command("SET", "k", "hello") + command("GET", "k")).getBytes();
            for (byte b : bytes) c.send(new byte[] {b});
            assertThat(c.reply()).isEqualTo("+OK\r\n");
            assertThat(c.reply()).isEqualTo("$5\r\nhello\r\n");
        }
    }

    @Test
    void aPipelineOfTenThousandIsAnsweredInOrder() throws Exception {
        try (TestServer server = TestServer.start(dir); RawClient c = new RawClient(server.port())) {
            StringBuilder pipeline = new StringBuilder();
            for (int i = 0; i < 10_000; i++) pipeline.append(command("INCR", "n"));
            c.send(pipeline.toString());
            for (int i = 1; i <= 10_000; i++) assertThat(c.reply()).isEqualTo(":" + i + "\r\n");
        }
    }

    @Test
    void inlineCommandsWithQuotes() throws Exception {
        try (TestServer server = TestServer.start(dir); RawClient c = new RawClient(server.port())) {
            c.send("PING\r\nSET a \"x y\\x41\\n\"\r\nGET a\n\r\nset b 'it\\'s'\nget b\n");
            assertThat(c.reply()).isEqualTo("+PONG\r\n");
            assertThat(c.reply()).isEqualTo("+OK\r\n");
            assertThat(c.reply()).isEqualTo("$5\r\nx yA\n\r\n");
            assertThat(c.reply()).isEqualTo("+OK\r\n");
            assertThat(c.reply()).isEqualTo("$4\r\nit's\r\n");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "*abc\\r\\n|invalid multibulk length",
            "*2\\r\\n+foo\\r\\n|expected '$', got '+'",
            "*1\\r\\n$-5\\r\\n|invalid bulk length",
            "*1\\r\\n$99999999999\\r\\n|invalid bulk length",
            "*1\\r\\n$2000000\\r\\n|invalid bulk length",
            "*2000000\\r\\n|invalid multibulk length",
            "*1\\r\\n*1\\r\\n|expected '$', got '*'",
            "SET \"a b\\r\\n|unbalanced quotes in request",
            "*9223372036854775808\\r\\n|invalid multibulk length",
    })
    void protocolErrorsAnswerThenCloseThatConnectionOnly(String hostile, String message) throws Exception {
        RespLimits limits = new RespLimits(1 << 20, 1 << 20, 8 << 20);
        try (TestServer server = TestServer.start(dir, CaskOptions.defaults(), null, limits, TestServer.defaultLimits());
             RawClient bystander = new RawClient(server.port());
             RawClient c = new RawClient(server.port())) {
            bystander.send(command("SET", "k", "v"));
            assertThat(bystander.reply()).isEqualTo("+OK\r\n");
            c.send(hostile.replace("\\r\\n", "\r\n"));
            assertThat(c.reply()).isEqualTo("-ERR Protocol error: " + message + "\r\n");
            assertThat(c.closedByPeer()).isTrue();
            bystander.send(command("GET", "k"));
            assertThat(bystander.reply()).isEqualTo("$1\r\nv\r\n");
        }
    }

    @Test
    void tooLongLinesAreProtocolErrors() throws Exception {
        try (TestServer server = TestServer.start(dir); RawClient inline = new RawClient(server.port()); RawClient header = new RawClient(server.port())) {
            inline.send("GET " + "x".repeat(70_000));
            assertThat(inline.reply()).isEqualTo("-ERR Protocol error: too big inline request\r\n");
            assertThat(inline.closedByPeer()).isTrue();
            header.send("*" + "1".repeat(70_000));
            assertThat(header.reply()).isEqualTo("-ERR Protocol error: too big mbulk count string\r\n");
            assertThat(header.closedByPeer()).isTrue();
        }
    }

    @Test
    void theQueryBufferIsBounded() throws Exception {
        RespLimits limits = new RespLimits(4 << 20, 1024, 1 << 20); // 4 MiB arguments allowed, but 1 MiB per unfinished request
        try (TestServer server = TestServer.start(dir, CaskOptions.defaults(), null, limits, TestServer.defaultLimits());
             RawClient c = new RawClient(server.port())) {
            c.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n");
            byte[] chunk = new byte[64 << 10];
            try {
                for (int i = 0; i < 40; i++) c.send(chunk);
            } catch (java.io.IOException closed) {
                // the server may close before all of it is sent
            }
            String reply = c.reply();
            assertThat(reply).startsWith("-ERR Protocol error: query buffer").contains("1048576");
            assertThat(c.closedByPeer()).isTrue();
            assertThat(server.cask.get("k".getBytes())).isNull();
        }
    }

    @Test
    void clientsOverTheLimitAreToldAndClosed() throws Exception {
        ServerLimits three = new ServerLimits(3, 64 << 10, 1 << 20);
        try (TestServer server = TestServer.start(dir, CaskOptions.defaults(), null, RespLimits.forValues(1 << 20), three)) {
            List<RawClient> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                RawClient c = new RawClient(server.port());
                c.send(command("PING"));
                assertThat(c.reply()).isEqualTo("+PONG\r\n");
                clients.add(c);
            }
            try (RawClient extra = new RawClient(server.port())) {
                assertThat(extra.line()).isEqualTo("-ERR max number of clients reached\r\n");
                assertThat(extra.closedByPeer()).isTrue();
            }
            clients.get(0).close();
            Thread.sleep(200);
            try (RawClient again = new RawClient(server.port())) {
                again.send(command("PING"));
                assertThat(again.reply()).isEqualTo("+PONG\r\n");
            }
            for (RawClient c : clients) c.close();
        }
    }

    @Test
    void aReaderThatDoesNotReadIsDisconnectedNotBufferedFor() throws Exception {
        ServerLimits smallOutput = new ServerLimits(100, 64 << 10, 4 << 20);
        try (TestServer server = TestServer.start(dir, CaskOptions.defaults(), null, RespLimits.forValues(1 << 20), smallOutput);
             RawClient slow = new RawClient(server.port());
             Jedis other = new Jedis("127.0.0.1", server.port())) {
            other.set("big".getBytes(), new byte[1 << 20]);
            slow.socket.setReceiveBufferSize(4096);
            StringBuilder gets = new StringBuilder();
            for (int i = 0; i < 64; i++) gets.append(command("GET", "big")); // 64 MiB of replies asked for, none read
            slow.send(gets.toString());
            Thread.sleep(500);
            assertThat(other.ping()).isEqualTo("PONG");
            assertThat(slow.closedByPeer()).isTrue(); // reset: what the kernel held for it is dropped too
            assertThat(other.get("big".getBytes())).hasSize(1 << 20);
        }
    }

    @Test
    void halfCloseGetsItsRepliesThenTheClose() throws Exception {
        try (TestServer server = TestServer.start(dir); RawClient c = new RawClient(server.port())) {
            c.send(command("SET", "k", "v") + command("GET", "k") + command("PING"));
            c.socket.shutdownOutput();
            assertThat(c.reply()).isEqualTo("+OK\r\n");
            assertThat(c.reply()).isEqualTo("$1\r\nv\r\n");
            assertThat(c.reply()).isEqualTo("+PONG\r\n");
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void quitAnswersThenCloses() throws Exception {
        try (TestServer server = TestServer.start(dir); RawClient c = new RawClient(server.port())) {
            c.send(command("QUIT") + command("PING"));
            assertThat(c.reply()).isEqualTo("+OK\r\n");
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void aOneMegabytePipelineDoesNotStarveSmallClients() throws Exception {
        try (TestServer server = TestServer.start(dir); RawClient bulk = new RawClient(server.port())) {
            StringBuilder burst = new StringBuilder();
            int n = 0;
            while (burst.length() < (1 << 20)) burst.append(command("SET", "burst:" + n++, "x".repeat(100)));
            int sets = n;
            ExecutorService pool = Executors.newFixedThreadPool(10);
            List<Future<Integer>> small = new ArrayList<>();
            for (int t = 0; t < 10; t++) {
                int id = t;
                small.add(pool.submit(() -> {
                    try (Jedis j = new Jedis("127.0.0.1", server.port())) {
                        for (int i = 0; i < 200; i++) {
                            j.set("small:" + id + ":" + i, "v" + i);
                            assertThat(j.get("small:" + id + ":" + i)).isEqualTo("v" + i);
                        }
                        return 200;
                    }
                }));
            }
            Thread sender = Thread.ofPlatform().start(() -> {
                try {
                    bulk.send(burst.toString());
                } catch (java.io.IOException e) {
                    throw new RuntimeException(e);
                }
            });
            for (int i = 0; i < sets; i++) assertThat(bulk.reply()).isEqualTo("+OK\r\n");
            sender.join();
            for (Future<Integer> f : small) assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(200);
            pool.shutdown();
            assertThat(server.cask.get(("burst:" + (sets - 1)).getBytes())).hasSize(100);
        }
    }

    @Test
    void aThousandConnectionsAreServedByTheOneLoopThread() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            List<RawClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 1000; i++) clients.add(new RawClient(server.port()));
                for (int i = 0; i < 1000; i++) clients.get(i).send(command("SET", "c" + i, "v" + i) + command("GET", "c" + i));
                for (int i = 0; i < 1000; i++) {
                    assertThat(clients.get(i).reply()).isEqualTo("+OK\r\n");
                    assertThat(clients.get(i).reply()).isEqualTo("$" + ("v" + i).length() + "\r\nv" + i + "\r\n");
                }
                RawClient probe = clients.get(0);
                probe.send(command("INFO"));
                String info = probe.reply();
                assertThat(info).contains("connected_clients:1000", "command_threads:1\r\n", "command_thread_names:cask-io\r\n", "io_thread:cask-io");
            } finally {
                for (RawClient c : clients) c.close();
            }
        }
    }
}

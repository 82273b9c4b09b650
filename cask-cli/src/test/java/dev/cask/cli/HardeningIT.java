package dev.cask.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The server items of the hardening issue against the real jar: one client, or the machine running
 * out of descriptors, must not stop {@code cask serve}. Each failed on the code before that issue.
 */
class HardeningIT {
    @TempDir
    Path dir;

    private static boolean closedByPeer(Socket s) throws Exception {
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        byte[] sink = new byte[1 << 16];
        try {
            while (in.read(sink) >= 0) { /* drain */ }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.io.IOException reset) {
            return true;
        }
    }

    @Test
    void httpRequestsAndRepliesLargerThanMemoryStopOnlyTheirOwnConnection() throws Exception {
        try (ServeProcess s = ServeProcess.start(dir.resolve("db"), dir); Jedis j = new Jedis("127.0.0.1", s.port())) {
            j.set("keep", "me");
            try (Socket web = new Socket("127.0.0.1", s.port())) {
                web.getOutputStream().write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nFLUSHALL\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(closedByPeer(web)).isTrue();
            }
            assertThat(j.get("keep")).isEqualTo("me");
            assertThat(s.errors()).contains("SECURITY ATTACK");
            j.set("big".getBytes(), new byte[1 << 20]);
            try (Socket greedy = new Socket("127.0.0.1", s.port())) {
                greedy.getOutputStream().write("GET big\r\n".repeat(7000).getBytes(StandardCharsets.US_ASCII)); // 7 GB of replies
                assertThat(closedByPeer(greedy)).isTrue();
            }
            assertThat(j.ping()).isEqualTo("PONG");
            assertThat(s.errors()).contains("output buffer limit");
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"nio", "epoll", "io_uring"})
    void runningOutOfDescriptorsInAcceptDoesNotStopTheServer(String transport) throws Exception {
        List<String> ulimit = List.of("bash", "-c", "ulimit -n 256 && exec \"$@\"", "--");
        // with no descriptors kept in reserve, accept() itself meets EMFILE
        try (ServeProcess s = ServeProcess.start(dir.resolve("db"), dir, ulimit, List.of("-Dcask.serve.reservedDescriptors=0"),
                "--transport", transport)) {
            List<Socket> flood = new ArrayList<>();
            try {
                for (int i = 0; i < 400; i++) flood.add(new Socket("127.0.0.1", s.port()));
                Thread.sleep(1000);
                for (Socket f : flood.subList(0, 200)) f.close();
                try (Jedis j = new Jedis("127.0.0.1", s.port(), 20_000)) {
                    assertThat(j.ping()).isEqualTo("PONG");
                }
            } finally {
                for (Socket f : flood) f.close();
            }
            assertThat(s.errors()).contains("accept failed");
            assertThat(s.process().isAlive()).isTrue();
        }
        try (ServeProcess s = ServeProcess.start(dir.resolve("db"), dir, ulimit, List.of())) { // as Redis: maxclients fitted to the limit
            assertThat(s.errors()).contains("maxclients lowered from 10000 to 160");
            try (Jedis j = new Jedis("127.0.0.1", s.port())) {
                assertThat(j.configGet("maxclients")).containsEntry("maxclients", "160");
            }
        }
    }

    @Test
    void anEmptyPasswordDoesNotOpenAPublicAddress() throws Exception {
        CaskProcess.Result r = CaskProcess.run("--dir", dir.resolve("db").toString(), "serve", "--bind", "0.0.0.0", "--port", "0", "--requirepass", "");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("refusing to listen on 0.0.0.0 without --requirepass");
    }

    @Test
    void idleClientsAreClosedAfterTimeout() throws Exception {
        try (ServeProcess s = ServeProcess.start(dir.resolve("db"), dir, "--timeout", "1"); Socket idle = new Socket("127.0.0.1", s.port())) {
            long start = System.nanoTime();
            assertThat(closedByPeer(idle)).isTrue();
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(500L, 9_000L);
        }
    }
}

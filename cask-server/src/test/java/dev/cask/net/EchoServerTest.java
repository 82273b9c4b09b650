package dev.cask.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The event loop with the echo handler, over real loopback sockets. */
class EchoServerTest {

    /** The echo handler, noting which threads it ran on. */
    private static final class ThreadNotingEcho implements Handler {
        final Set<String> threads = ConcurrentHashMap.newKeySet();

        @Override
        public void onData(Connection connection, ByteBuffer input) {
            threads.add(Thread.currentThread().getName());
            connection.send(input);
        }
    }

    @Test
    void aThousandConnectionsGetEveryByteBackOnOneThread() throws Exception {
        ThreadNotingEcho echo = new ThreadNotingEcho();
        try (Transport server = TestTransport.start(echo, ServerLimits.defaults())) {
            EchoBench.Result r = new EchoBench(new InetSocketAddress("127.0.0.1", server.port()), 1000, 20_000, 1000, 120).run();
            assertThat(r.connected()).isEqualTo(1000);
            assertThat(r.errors()).isZero();
            assertThat(r.mismatchedBytes()).isZero();
            assertThat(r.bytesEchoed()).isEqualTo(1000L * 20_000);
        }
        assertThat(echo.threads).containsExactly("cask-io");
    }

    @Test
    void halfCloseStillGetsEverythingBackThenTheServerCloses() throws Exception {
        try (Transport server = TestTransport.start(new EchoHandler(), ServerLimits.defaults());
                Socket socket = new Socket("127.0.0.1", server.port())) {
            byte[] sent = new byte[300_000];
            new Random(5).nextBytes(sent);
            OutputStream out = socket.getOutputStream();
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    out.write(sent);
                    socket.shutdownOutput(); // half-close: no more input, but the echo is still owed
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] back = socket.getInputStream().readAllBytes(); // returns at the server's close
            writer.join();
            assertThat(back).isEqualTo(sent);
        }
    }

    @Test
    void aReaderThatDoesNotReadIsDisconnectedAndOthersAreUnaffected() throws Exception {
        ServerLimits small = new ServerLimits(100, 64 << 10, 256 << 10);
        try (Transport server = TestTransport.start(new EchoHandler(), small);
                Socket slow = new Socket("127.0.0.1", server.port())) {
            slow.setReceiveBufferSize(4096);
            OutputStream out = slow.getOutputStream();
            byte[] block = new byte[64 << 10];
            boolean disconnected = false;
            try {
                for (int i = 0; i < 400; i++) out.write(block); // 25 MB, never reading a byte of the echo
            } catch (java.io.IOException e) {
                disconnected = true; // the server closed it: reset or broken pipe
            }
            assertThat(disconnected).as("the slow reader was disconnected once its pending output passed the limit").isTrue();
            EchoBench.Result r = new EchoBench(new InetSocketAddress("127.0.0.1", server.port()), 10, 10_000, 500, 60).run();
            assertThat(r.errors()).isZero();
            assertThat(r.mismatchedBytes()).isZero();
        }
    }

    @Test
    void aResetConnectionClosesOnlyThatConnection() throws Exception {
        try (Transport server = TestTransport.start(new EchoHandler(), ServerLimits.defaults())) {
            Socket rude = new Socket("127.0.0.1", server.port());
            rude.setSoLinger(true, 0);
            rude.getOutputStream().write(new byte[1000]);
            rude.close(); // RST
            try (Socket polite = new Socket("127.0.0.1", server.port())) {
                polite.getOutputStream().write("ping".getBytes());
                InputStream in = polite.getInputStream();
                assertThat(in.readNBytes(4)).isEqualTo("ping".getBytes());
            }
        }
    }
}

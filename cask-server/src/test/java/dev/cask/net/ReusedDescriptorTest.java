package dev.cask.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Connections reset while the loop still has work queued for them must never have that work run
 * on the descriptor number the next connection gets. Under io_uring a receive or send queued for a
 * connection that is closed before the queue is submitted names a raw fd; Linux gives that number
 * to the next accept, so the stale receive steals the new client's request (it then waits
 * forever) or the stale send puts the old reply into it. Every client that stays must get back
 * exactly what it sent, and nothing else, while others reset around it.
 */
class ReusedDescriptorTest {
    /**
     * A handler that answers and aborts at once, then dawdles in {@code onClose}: meanwhile the
     * kernel accepts the next client onto the lowest free number, the one just closed. Whatever the
     * loop had queued for the aborted connection must not reach that client.
     */
    @Test
    void anAbortedConnectionsQueuedSendNeverReachesTheClientThatGetsItsNumber() throws Exception {
        Handler answerThenAbort = new Handler() {
            @Override
            public void onData(Connection connection, ByteBuffer input) {
                String text = StandardCharsets.US_ASCII.decode(input).toString();
                if (text.startsWith("leave")) {
                    connection.send(ByteBuffer.wrap("STALE REPLY FOR THE ABORTED ONE\n".getBytes(StandardCharsets.US_ASCII)));
                    connection.abort();
                } else {
                    connection.send(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
                }
            }

            @Override
            public void onClose(Connection connection) {
                try {
                    Thread.sleep(20); // the next client is accepted meanwhile, onto the number just closed
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (Transport t = TestTransport.start(answerThenAbort, ServerLimits.defaults())) {
            for (int round = 0; round < 20; round++) {
                try (Socket leaving = new Socket("127.0.0.1", t.port())) {
                    leaving.getOutputStream().write("leave\n".getBytes(StandardCharsets.US_ASCII));
                    Thread.sleep(5); // the loop is in onClose now
                    try (Socket next = new Socket("127.0.0.1", t.port())) {
                        next.setSoTimeout(5_000);
                        next.getOutputStream().write(("hello " + round + "\n").getBytes(StandardCharsets.US_ASCII));
                        byte[] expected = ("hello " + round + "\n").getBytes(StandardCharsets.US_ASCII);
                        byte[] back = next.getInputStream().readNBytes(expected.length);
                        assertThat(new String(back, StandardCharsets.US_ASCII)).as("round " + round).isEqualTo(new String(expected, StandardCharsets.US_ASCII));
                    }
                }
            }
        }
    }

    @Test
    void aResetConnectionsQueuedWorkNeverReachesTheNextConnection() throws Exception {
        try (Transport t = TestTransport.start(new EchoHandler(), ServerLimits.defaults())) {
            ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
            AtomicInteger served = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int client = c;
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 300; i++) {
                        String message = "client " + client + " round " + i + " " + "x".repeat(i % 50) + "\n";
                        byte[] bytes = message.getBytes(StandardCharsets.US_ASCII);
                        try (Socket s = new Socket("127.0.0.1", t.port())) {
                            s.setSoTimeout(5_000);
                            OutputStream out = s.getOutputStream();
                            out.write(bytes);
                            out.flush();
                            if (i % 2 == 0) { // reset at once: the loop closes this one while its echo may be queued
                                s.setSoLinger(true, 0);
                                continue;
                            }
                            InputStream in = s.getInputStream();
                            byte[] back = in.readNBytes(bytes.length);
                            if (!java.util.Arrays.equals(back, bytes)) wrong.add("sent " + message.strip() + ", got " + new String(back, StandardCharsets.US_ASCII).strip());
                            else served.incrementAndGet();
                        } catch (java.io.IOException e) {
                            if (i % 2 != 0) wrong.add("client " + client + " round " + i + ": " + e);
                        }
                    }
                }));
            }
            for (Thread th : threads) th.join();
            assertThat(wrong).isEmpty();
            assertThat(served.get()).isEqualTo(4 * 150);
        }
    }
}

package dev.cask.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What one connection's handler throws closes that connection only; a loop that cannot go on says
 * so through {@link Handler#onLoopFailure} (the server then exits non-zero) instead of dying
 * silently with the database still locked. Before the hardening issue, a throwable from a handler
 * ended the loop thread with one line on stderr and the process went on serving nothing.
 */
class LoopFailureTest {
    /** Echoes, except that "boom" throws an Error from its connection's handler and "die" makes the loop itself fail. */
    private static final class Fragile implements Handler {
        final AtomicReference<Throwable> loopFailure = new AtomicReference<>();
        final CountDownLatch failed = new CountDownLatch(1);
        volatile boolean dieAtTurnEnd;

        @Override
        public void onData(Connection connection, ByteBuffer input) {
            String text = java.nio.charset.StandardCharsets.US_ASCII.decode(input.duplicate()).toString();
            if (text.startsWith("boom")) throw new StackOverflowError("a handler that failed for one connection");
            if (text.startsWith("die")) dieAtTurnEnd = true;
            connection.send(input);
        }

        @Override
        public void onTurnEnd() {
            if (dieAtTurnEnd) throw new IllegalStateException("the loop's own work failed");
        }

        @Override
        public void onLoopFailure(Throwable failure) {
            loopFailure.set(failure);
            failed.countDown();
        }
    }

    private static String echo(int port, String text) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(text.getBytes());
            return new String(s.getInputStream().readNBytes(text.length()));
        }
    }

    @Test
    void aThrowableFromOneConnectionClosesItAloneAndALoopFailureIsReported() throws Exception {
        Fragile handler = new Fragile();
        try (Transport t = TestTransport.start(handler, ServerLimits.defaults())) {
            assertThat(echo(t.port(), "hello")).isEqualTo("hello");
            try (Socket bad = new Socket("127.0.0.1", t.port())) {
                bad.setSoTimeout(10_000);
                bad.getOutputStream().write("boom".getBytes());
                InputStream in = bad.getInputStream();
                int r;
                try {
                    r = in.read();
                } catch (java.io.IOException reset) {
                    r = -1;
                }
                assertThat(r).isEqualTo(-1); // closed
            }
            assertThat(echo(t.port(), "still here")).isEqualTo("still here");
            assertThat(handler.loopFailure.get()).isNull();
            try (Socket s = new Socket("127.0.0.1", t.port())) {
                s.getOutputStream().write("die".getBytes());
                assertThat(handler.failed.await(10, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(handler.loopFailure.get()).hasMessageContaining("the loop's own work failed");
        }
    }
}

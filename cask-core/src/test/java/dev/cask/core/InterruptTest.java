package dev.cask.core;

import static dev.cask.core.TestFiles.b;
import static dev.cask.core.TestFiles.s;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A caller's interrupt affects only that call. Failed on the code before the hardening issue:
 * {@code Thread.interrupt()} then {@code get} closed the active segment's shared channel
 * (FileChannel closes itself when a thread blocked in it is interrupted), the read spun for ever
 * and every later write failed.
 */
class InterruptTest {
    @TempDir
    Path dir;

    @Test
    void anInterruptedReaderAndWriterLeaveTheDatabaseWorking() throws Exception {
        try (Cask cask = Cask.open(dir, CaskOptions.defaults().withSyncPolicy(SyncPolicy.parse("always")))) {
            cask.put(b("k"), b("v"));
            Thread.currentThread().interrupt();
            assertThat(s(cask.get(b("k")))).isEqualTo("v");
            assertThat(Thread.interrupted()).as("the caller's interrupt status is kept").isTrue();
            Thread.currentThread().interrupt();
            cask.put(b("k2"), b("v2")); // appends and forces with the interrupt set
            assertThat(Thread.interrupted()).isTrue();
            cask.put(b("k3"), b("v3"));
            assertThat(s(cask.get(b("k2")))).isEqualTo("v2");
            assertThat(s(cask.get(b("k3")))).isEqualTo("v3");
        }
        try (Cask cask = Cask.open(dir)) {
            assertThat(s(cask.get(b("k3")))).isEqualTo("v3");
        }
    }

    @Test
    void readersAndWritersInterruptedAtRandomWhileOthersWork() throws Exception {
        assertThat(interruptStorm(dir)).isEmpty();
    }

    /** Child: the same storm in a JVM that has not opened sun.nio.ch, so the channels stay interruptible and the retry path is what holds. */
    public static final class StormWithoutOpens {
        public static void main(String[] args) throws Exception {
            List<String> failures = interruptStorm(java.nio.file.Path.of(args[0]));
            System.out.println("FAILURES " + failures.size() + " " + failures);
        }
    }

    @Test
    void theSameStormWhereChannelsStayInterruptible() throws Exception {
        Process child = ChildJvm.start(StormWithoutOpens.class, dir.toString());
        String out = new String(child.getInputStream().readAllBytes());
        assertThat(child.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(out).startsWith("FAILURES 0 ");
    }

    /** Four workers put and get while a fifth interrupts them at random; returns what went wrong (nothing, when it holds). */
    static List<String> interruptStorm(Path dir) throws Exception {
        CaskOptions options = CaskOptions.defaults().withMaxFileSize(64 << 10).withSyncPolicy(SyncPolicy.parse("every:10"));
        ConcurrentHashMap<String, String> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        try (Cask cask = Cask.open(dir, options)) {
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int id = w;
                workers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        String key = "w" + id + "-" + (i % 200);
                        String value = "value-" + i;
                        try {
                            cask.put(b(key), b(value));
                            acknowledged.put(key, value);
                            byte[] got = cask.get(b(key));
                            if (got == null || !s(got).equals(value)) failures.add("read back " + s(got) + " for " + key);
                        } catch (RuntimeException e) {
                            failures.add(e.toString());
                            return;
                        }
                        Thread.interrupted(); // whatever the interrupter did, the next call starts clean or not, at random
                    }
                }));
            }
            Thread interrupter = Thread.ofPlatform().start(() -> {
                java.util.Random random = new java.util.Random(7);
                while (!stop.get()) {
                    workers.get(random.nextInt(workers.size())).interrupt();
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                }
            });
            Thread.sleep(1500);
            stop.set(true);
            interrupter.join();
            for (Thread t : workers) t.join();
            cask.put(b("after"), b("ok"));
        }
        try (Cask cask = Cask.open(dir, options)) {
            for (var e : acknowledged.entrySet()) {
                if (!e.getValue().equals(s(cask.get(b(e.getKey()))))) failures.add("lost " + e.getKey());
            }
        }
        return failures;
    }
}

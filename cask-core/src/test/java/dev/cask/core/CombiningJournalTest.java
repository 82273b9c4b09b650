package dev.cask.core;

import dev.cask.testkit.FaultyFileLayer;
import static dev.cask.core.TestFiles.b;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable writes from many threads under {@code always} go through the combining journal: one
 * leader appends a queue of writes and forces once. Every acknowledged write must be there after
 * reopen, writes must share forces, a failed force must fail every writer of its group and every
 * later one (none may hang), and one writer's refusal must not fail the others.
 */
class CombiningJournalTest {
    @TempDir
    Path dir;

    private static final CaskOptions ALWAYS = CaskOptions.defaults().withSyncPolicy(SyncPolicy.always());

    private static List<Thread> writers(int threads, int each, Cask cask, ConcurrentLinkedQueue<Throwable> failures, CountDownLatch go) {
        List<Thread> list = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            list.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        cask.put(b("t" + id + "-" + i), b("v" + i));
                        if (i % 7 == 3) cask.delete(b("t" + id + "-" + (i - 1)));
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        return list;
    }

    @Test
    void everyAcknowledgedWriteOfManyThreadsIsThereAndForcesAreShared() throws Exception {
        int threads = 32;
        int each = 300;
        long forces;
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        try (Cask cask = Cask.open(dir, ALWAYS)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> list = writers(threads, each, cask, failures, go);
            long before = cask.forceCount();
            go.countDown();
            for (Thread t : list) t.join();
            forces = cask.forceCount() - before;
        }
        assertThat(failures).isEmpty();
        int writes = threads * (each + each / 7);
        assertThat(forces).as("%d durable writes shared their forces", writes).isLessThan(writes / 2);
        try (Cask cask = Cask.open(dir)) {
            for (int t = 0; t < threads; t++) {
                for (int i = 0; i < each; i++) {
                    boolean deleted = (i + 1) % 7 == 3 && i + 1 < each;
                    byte[] value = cask.get(b("t" + t + "-" + i));
                    if (deleted) assertThat(value).as("t%d-%d deleted", t, i).isNull();
                    else assertThat(value).as("t%d-%d", t, i).isEqualTo(b("v" + i));
                }
            }
        }
    }

    @Test
    void aFailedForceFailsEveryWriterAndNoneHangs() throws Exception {
        FaultyFileLayer files = new FaultyFileLayer();
        try (Cask cask = Cask.open(dir, ALWAYS.withFileLayer(files))) {
            cask.put(b("before"), b("v"));
            files.failForce = true;
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> list = writers(16, 50, cask, failures, go);
            go.countDown();
            for (Thread t : list) {
                t.join(TimeUnit.SECONDS.toMillis(30));
                assertThat(t.isAlive()).as("a writer hangs after the failed force").isFalse();
            }
            assertThat(failures).hasSize(16).allSatisfy(e -> assertThat(e).isInstanceOf(WritesStoppedException.class));
            files.failForce = false;
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> cask.put(b("after"), b("v")))
                    .as("nothing is written after a failed force, even once forces work again").isInstanceOf(WritesStoppedException.class);
        } catch (StorageException closeFailure) {
            // close reports the earlier failure: expected
        }
        assertThat(dir.resolve("cask.force-failed")).as("the failed force is marked for the next open").exists();
        java.nio.file.Files.delete(dir.resolve("cask.force-failed")); // as an operator would after 'cask check'
        try (Cask cask = Cask.open(dir)) {
            assertThat(cask.get(b("before"))).isEqualTo(b("v"));
            assertThat(cask.get(b("after"))).isNull();
        }
    }

    @Test
    void oneWriterRefusedForSpaceDoesNotFailTheOthersOfItsGroup() throws Exception {
        FaultyFileLayer files = new FaultyFileLayer();
        // no mapped tail here: FaultyFileLayer's writes are where ENOSPC is injected, so each append is a write it sees
        try (Cask cask = Cask.open(dir, ALWAYS.withFileLayer(files).withPrepareAhead(0).withReservedBytes(0))) {
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            files.spaceLeft.set(40 * 1000);
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> list = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int id = t;
                list.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                        for (int i = 0; i < 10; i++) {
                            try {
                                cask.put(b("k" + id + "-" + i), new byte[id % 2 == 0 ? 10 : 900]);
                                ok.incrementAndGet();
                            } catch (NoSpaceException e) {
                                refused.incrementAndGet();
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            go.countDown();
            for (Thread t : list) t.join();
            assertThat(refused.get()).as("the disk filled").isPositive();
            assertThat(ok.get()).as("the others were written").isPositive();
            files.spaceLeft.set(-1);
            cask.put(b("later"), b("v")); // space is back: writable
        }
    }

    @Test
    void anInterruptedWriterStillWritesDurablyAndKeepsItsInterrupt() throws Exception {
        try (Cask cask = Cask.open(dir, ALWAYS)) {
            Thread.currentThread().interrupt();
            try {
                cask.put(b("k"), b("v"));
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
            } finally {
                Thread.interrupted();
            }
            assertThat(cask.get(b("k"))).isEqualTo(b("v"));
        }
    }
}

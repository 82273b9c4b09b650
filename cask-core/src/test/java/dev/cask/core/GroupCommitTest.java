package dev.cask.core;

import dev.cask.testkit.FaultyFileLayer;
import static dev.cask.core.TestFiles.b;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitTest {
    @TempDir
    Path dir;

    @Test
    void concurrentWritersShareForces() throws Exception {
        FaultyFileLayer counting = new FaultyFileLayer();
        int writers = 32;
        int each = 50;
        try (Cask cask = Cask.open(dir, CaskOptions.defaults().withFileLayer(counting).withSyncPolicy(SyncPolicy.always()))) {
            int before = counting.forces.get();
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            CountDownLatch start = new CountDownLatch(1);
            for (int w = 0; w < writers; w++) {
                int id = w;
                var unused = pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) cask.put(b("w" + id + "-" + i), b("v"));
                    return null;
                });
            }
            start.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(120, TimeUnit.SECONDS)).isTrue();
            int forces = counting.forces.get() - before;
            assertThat(cask.keys()).hasSize(writers * each);
            // one force per write would be writers * each; group commit must share them
            assertThat(forces).isLessThan(writers * each / 2);
        }
    }

    @Test
    void writesWithoutSyncShareTheForceOfOneLaterSync() {
        FaultyFileLayer counting = new FaultyFileLayer();
        try (Cask cask = Cask.open(dir, CaskOptions.defaults().withFileLayer(counting).withSyncPolicy(SyncPolicy.always()))) {
            int before = counting.forces.get();
            for (int i = 0; i < 100; i++) cask.writeWithoutSync(new WriteBatch().put(b("k" + i), b("v" + i)));
            cask.writeWithoutSync(new WriteBatch().delete(b("k0")).put(b("k1"), b("new")));
            assertThat(counting.forces.get() - before).isZero();
            assertThat(cask.get(b("k0"))).isNull();
            assertThat(cask.get(b("k1"))).isEqualTo(b("new"));
            cask.sync();
            assertThat(counting.forces.get() - before).isEqualTo(1);
            // a batch of one is a plain record: no begin/commit frame around it
            long expected = RecordCodec.current().tombstoneSize(2) + RecordCodec.current().putSize(2, 3, 0) + 2L * RecordCodec.current().controlSize();
            for (int i = 0; i < 100; i++) expected += RecordCodec.current().putSize(("k" + i).length(), ("v" + i).length(), 0);
            assertThat(cask.stats().liveBytes() + cask.stats().deadBytes()).isEqualTo(expected);
        }
    }
}

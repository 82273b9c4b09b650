package dev.cask.core;

import dev.cask.testkit.FaultyFileLayer;
import static dev.cask.core.TestFiles.b;
import static dev.cask.core.TestFiles.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FaultInjectionTest {
    @TempDir
    Path dir;

    private final FaultyFileLayer faults = new FaultyFileLayer();

    @Test
    void aFailedForceStopsAllWritesUntilReopenAndIsNeverRetried() throws Exception {
        CaskOptions options = CaskOptions.defaults().withFileLayer(faults).withSyncPolicy(SyncPolicy.always());
        try (Cask cask = Cask.open(dir, options)) {
            cask.put(b("before"), b("durable"));
            faults.failForce = true;
            int forcesBefore = faults.forces.get();
            assertThatThrownBy(() -> cask.put(b("doomed"), b("x"))).isInstanceOf(WritesStoppedException.class)
                    .hasMessageContaining("refuses writes until it is closed and reopened");
            assertThat(faults.forces.get()).isEqualTo(forcesBefore + 1);
            faults.failForce = false; // even if the disk "recovers", the lost pages are not retried
            assertThatThrownBy(() -> cask.put(b("after"), b("x"))).isInstanceOf(WritesStoppedException.class);
            assertThatThrownBy(() -> cask.delete(b("before"))).isInstanceOf(WritesStoppedException.class);
            assertThatThrownBy(cask::sync).isInstanceOf(WritesStoppedException.class);
            assertThat(faults.forces.get()).isEqualTo(forcesBefore + 1);
            assertThat(cask.writesStopped()).isTrue();
            assertThat(s(cask.get(b("before")))).isEqualTo("durable");
        }
        // within the same boot the page cache may hold what the disk lost: open refuses until the operator says it is clean
        assertThatThrownBy(() -> Cask.open(dir, options)).isInstanceOf(StorageException.class).hasMessageContaining("drop the page cache");
        java.nio.file.Files.delete(dir.resolve(FailStopLayer.MARKER));
        try (Cask cask = Cask.open(dir, options)) {
            assertThat(s(cask.get(b("before")))).isEqualTo("durable");
            cask.put(b("after"), b("works"));
            assertThat(s(cask.get(b("after")))).isEqualTo("works");
        }
    }

    @Test
    void concurrentWaitersOfAFailedGroupCommitAllFail() throws Exception {
        CaskOptions options = CaskOptions.defaults().withFileLayer(faults).withSyncPolicy(SyncPolicy.always());
        try (Cask cask = Cask.open(dir, options)) {
            faults.failForce = true;
            int writers = 8;
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
            java.util.List<java.util.concurrent.Future<?>> results = new java.util.ArrayList<>();
            for (int i = 0; i < writers; i++) {
                int n = i;
                results.add(pool.submit(() -> cask.put(b("k" + n), b("v"))));
            }
            for (var f : results) {
                assertThatThrownBy(f::get).hasCauseInstanceOf(WritesStoppedException.class);
            }
            pool.shutdown();
        }
    }

    @Test
    void aFailedBackgroundForceStopsWritesUnderTheNonePolicyToo() throws Exception {
        try (Cask cask = Cask.open(dir, CaskOptions.defaults().withFileLayer(faults))) {
            faults.failForce = true;
            byte[] value = new byte[64 << 10];
            try {
                for (int i = 0; i < 160; i++) cask.put(b("k" + i), value); // 10 MiB: past the 8 MiB that asks for a background force
            } catch (WritesStoppedException soon) {
                // the background force failed while these puts went on
            }
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (!cask.writesStopped() && System.nanoTime() < deadline) Thread.sleep(5);
            assertThat(cask.writesStopped()).as("the background force failed, so writing stopped").isTrue();
            assertThatThrownBy(() -> cask.put(b("after"), b("v"))).isInstanceOf(WritesStoppedException.class)
                    .hasMessageContaining("injected fsync failure");
        }
    }

    @Test
    void aFullDiskFailsThePutLeavesNothingHalfVisibleAndWritesWorkOnceSpaceIsBack() throws Exception {
        CaskOptions options = CaskOptions.defaults().withFileLayer(faults);
        try (Cask cask = Cask.open(dir, options)) {
            cask.put(b("before"), b("ok"));
            long size = (long) FileHeader.SIZE + RecordCodec.current().putSize(6, 2, 0); // where the records end: the open file is grown ahead of them
            faults.spaceLeft.set(10); // the next record fits only partly
            assertThatThrownBy(() -> cask.put(b("big"), new byte[100])).isInstanceOf(StorageException.class)
                    .hasMessageContaining("No space left on device").hasMessageContaining("nothing was written");
            assertThatThrownBy(() -> cask.write(new WriteBatch().put(b("b1"), b("1")).put(b("b2"), b("2"))))
                    .isInstanceOf(StorageException.class);
            assertThat(Files.size(TestFiles.newestSegment(dir))).as("cut back to the last whole record").isEqualTo(size);
            assertThat(cask.get(b("big"))).isNull();
            assertThat(cask.get(b("b1"))).isNull();
            assertThat(cask.writesStopped()).isFalse();
            faults.spaceLeft.set(-1);
            cask.put(b("after"), b("space is back"));
        }
        try (Cask cask = Cask.open(dir, options)) {
            assertThat(cask.recoveryReport().droppedBytes()).isZero();
            assertThat(s(cask.get(b("before")))).isEqualTo("ok");
            assertThat(s(cask.get(b("after")))).isEqualTo("space is back");
            assertThat(cask.get(b("big"))).isNull();
        }
    }

    @Test
    void eachPolicyMakesTheSystemCallsItClaims() {
        assertThat(forcesFor(SyncPolicy.parse("none"), 20)).isEqualTo(new int[] {0, 0});
        assertThat(forcesFor(SyncPolicy.parse("always"), 20)).isEqualTo(new int[] {20, 0});
        // the first force after the file grew (it is grown 8 MiB ahead) covers metadata; then data only
        assertThat(forcesFor(SyncPolicy.parse("always:fdatasync"), 20)).isEqualTo(new int[] {1, 19});
        assertThat(forcesFor(SyncPolicy.parse("every:5"), 20)).isEqualTo(new int[] {4, 0});
        assertThat(forcesFor(SyncPolicy.parse("every:10:fdatasync"), 20)).isEqualTo(new int[] {1, 1});
        assertThat(forcesFor(SyncPolicy.parse("osync"), 20)).isEqualTo(new int[] {0, 0});
        assertThat(forcesFor(SyncPolicy.parse("odsync"), 20)).isEqualTo(new int[] {1, 0}); // the grown length, once
    }

    /**
     * Failed on the code before the durability issue: under {@code :fdatasync} no force ever covered
     * the length the writer grew the file to, and a file system that keeps a new length only with
     * the inode (fdatasync need not) could lose every record written into the grown part.
     */
    @Test
    void aNewFileLengthIsForcedWithMetadataBeforeAWriteIntoItIsAcknowledged() {
        for (String policy : new String[] {"always:fdatasync", "odsync"}) {
            FaultyFileLayer counting = new FaultyFileLayer();
            try (Cask cask = Cask.open(dir.resolve(policy.replace(':', '_')), CaskOptions.defaults().withFileLayer(counting).withSyncPolicy(SyncPolicy.parse(policy)))) {
                int before = counting.forces.get();
                cask.put(b("k"), b("v"));
                assertThat(counting.forces.get()).as(policy).isEqualTo(before + 1);
            }
        }
    }

    /** {fsyncs, fdatasyncs} made by {@code puts} single-threaded puts, not counting open and close. */
    private int[] forcesFor(SyncPolicy policy, int puts) {
        FaultyFileLayer counting = new FaultyFileLayer();
        Path db = dir.resolve(policy.toString().replace(':', '_'));
        try (Cask cask = Cask.open(db, CaskOptions.defaults().withFileLayer(counting).withSyncPolicy(policy))) {
            int f = counting.forces.get();
            int d = counting.dataForces.get();
            for (int i = 0; i < puts; i++) cask.put(b("k" + i), b("v"));
            return new int[] {counting.forces.get() - f, counting.dataForces.get() - d};
        }
    }

    @Test
    void intervalPolicyForcesInTheBackground() throws Exception {
        try (Cask cask = Cask.open(dir, CaskOptions.defaults().withFileLayer(faults).withSyncPolicy(SyncPolicy.parse("interval:20")))) {
            int before = faults.forces.get();
            cask.put(b("k"), b("v"));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (faults.forces.get() == before && System.nanoTime() < deadline) Thread.sleep(5);
            assertThat(faults.forces.get()).isGreaterThan(before);
        }
    }

    @Test
    void aFailedBackgroundForceStopsWrites() throws Exception {
        try (Cask cask = Cask.open(dir, CaskOptions.defaults().withFileLayer(faults).withSyncPolicy(SyncPolicy.parse("interval:10")))) {
            faults.failForce = true;
            cask.put(b("k"), b("v"));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!cask.writesStopped() && System.nanoTime() < deadline) Thread.sleep(5);
            assertThat(cask.writesStopped()).isTrue();
            assertThatThrownBy(() -> cask.put(b("k2"), b("v"))).isInstanceOf(WritesStoppedException.class);
        }
    }

    @Test
    void newSegmentsAreMadeDurableInTheirDirectoryBeforeAnyRecordGoesIn() throws Exception {
        try (Cask cask = Cask.open(dir, CaskOptions.defaults().withFileLayer(faults).withMaxFileSize(100))) {
            for (int i = 0; i < 10; i++) cask.put(b("key" + i), new byte[60]);
            cask.merge();
        }
        assertThat(TestFiles.segments(dir)).hasSizeGreaterThan(1);
        assertThat(faults.writes.get()).isGreaterThan(10);
        assertThat(faults.orderViolations).isEmpty();
    }
}

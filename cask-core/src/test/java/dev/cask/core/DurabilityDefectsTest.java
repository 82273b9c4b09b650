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

/** The defects of the durability issue, each with the test that failed on the code before it. */
class DurabilityDefectsTest {
    @TempDir
    Path dir;

    private static CaskOptions small(FaultyFileLayer layer) {
        return CaskOptions.defaults().withMaxFileSize(200).withAutoMerge(false, 0.5, 0).withUseHints(true).withFileLayer(layer);
    }

    /**
     * Defect 1. Before: a merge that failed after its first rename left outputs the keydir did not list;
     * Cask carried on, the next merge in the same process dropped the tombstone of a key deleted
     * meanwhile, and after a reopen the orphan output replayed the deleted key.
     */
    @Test
    void aMergeThatFailsLateNeverLetsADeletedKeyComeBack() throws Exception {
        int failedLate = 0;
        for (int step = 1; step < 60; step++) {
            Path db = Files.createDirectories(dir.resolve("step" + step));
            FaultyFileLayer layer = new FaultyFileLayer();
            boolean reachedStep = true;
            boolean writesStopped = false;
            try (Cask cask = Cask.open(db, small(layer))) {
                cask.put(b("doomed"), b("value"));
                for (int i = 0; i < 20; i++) cask.put(b("filler" + i), b("x".repeat(20)));
                cask.awaitBackgroundWork();
                int before = layer.ops.get();
                layer.failOnceAtOp = before + step;
                try {
                    cask.merge();
                } catch (RuntimeException failed) {
                    // the injected failure, at some step of the merge
                }
                reachedStep = layer.ops.get() >= before + step;
                try {
                    assertThat(cask.delete(b("doomed"))).isTrue();
                    for (int i = 0; i < 10; i++) cask.put(b("more" + i), b("y".repeat(20)));
                    try {
                        cask.merge();
                    } catch (StorageException refused) {
                        assertThat(refused).hasMessageContaining("merging stays stopped until the database is reopened");
                        failedLate++;
                    }
                } catch (WritesStoppedException stopped) {
                    writesStopped = true; // a failed force or directory sync: nothing more may be written until reopen
                }
            } catch (StorageException closeAfterStop) {
                writesStopped = true;
            }
            Files.deleteIfExists(db.resolve(FailStopLayer.MARKER)); // the operator's step after a failed force (see its message)
            try (Cask cask = Cask.open(db, CaskOptions.defaults().withMaxFileSize(200).withAutoMerge(false, 0.5, 0))) {
                if (writesStopped) continue; // the delete may not have happened: whichever, the database opened
                assertThat(cask.get(b("doomed"))).as("step " + step).isNull();
                assertThat(s(cask.get(b("more9")))).isEqualTo("y".repeat(20));
            }
            if (!reachedStep) break; // the merge had fewer steps than this: all were tried
        }
        assertThat(failedLate).as("steps that failed after the commit began").isPositive();
    }

    /** Defect 3. Before: open counted the recovered tail as durable without forcing it, so a sync() before any write did nothing. */
    @Test
    void openForcesWhatRecoveryKept() throws Exception {
        try (Cask cask = Cask.open(dir)) {
            cask.put(b("k"), b("v"));
        }
        FaultyFileLayer layer = new FaultyFileLayer();
        try (Cask cask = Cask.open(dir, CaskOptions.defaults().withFileLayer(layer))) {
            assertThat(layer.log).anyMatch(op -> op.equals("force 0000000001.data"));
        }
    }

    /**
     * Defect 4. Before: a failed force outside the write path (a hint, a merge output) did not stop
     * writes, and a merge already running went on renaming and deleting.
     */
    @Test
    void aFailedForceAnywhereStopsWritesAndRenamesAndLeavesAMarker() throws Exception {
        FaultyFileLayer layer = new FaultyFileLayer();
        try (Cask cask = Cask.open(dir, small(layer))) {
            for (int i = 0; i < 20; i++) cask.put(b("k" + i), b("x".repeat(20)));
            cask.awaitBackgroundWork();
            layer.failForce = true; // the merge's first force is of an output
            assertThatThrownBy(cask::merge).isInstanceOf(RuntimeException.class);
            int failedAt = layer.log.size();
            assertThat(cask.writesStopped()).isTrue();
            assertThatThrownBy(() -> cask.put(b("after"), b("v"))).isInstanceOf(WritesStoppedException.class);
            assertThat(layer.log.subList(failedAt, layer.log.size())).noneMatch(op -> op.startsWith("rename") || op.startsWith("delete"));
        } catch (StorageException closeAfterStop) {
            // close reports the stop
        }
        assertThat(dir.resolve(FailStopLayer.MARKER)).exists();
        assertThatThrownBy(() -> Cask.open(dir)).isInstanceOf(StorageException.class).hasMessageContaining("drop the page cache");
        Files.delete(dir.resolve(FailStopLayer.MARKER));
        try (Cask cask = Cask.open(dir)) {
            assertThat(s(cask.get(b("k19")))).isEqualTo("x".repeat(20));
        }
    }

    /** Defect 6. Before: the database directory was created without a sync of its parent, so a power cut could take it away. */
    @Test
    void aNewDatabaseDirectoryIsDurableInItsParent() throws Exception {
        FaultyFileLayer layer = new FaultyFileLayer();
        Path db = dir.resolve("a").resolve("b");
        try (Cask cask = Cask.open(db, CaskOptions.defaults().withFileLayer(layer))) {
            cask.put(b("k"), b("v"));
        }
        assertThat(layer.log).contains("syncdir a", "syncdir " + dir.getFileName());
    }

    /** Defect 2. Before: a force that found the active file closed (the database closed under a waiting writer) counted as done. */
    @Test
    void aWriterNeverHearsDurableFromAForceThatDidNotHappen() throws Exception {
        FaultyFileLayer layer = new FaultyFileLayer();
        Cask cask = Cask.open(dir, CaskOptions.defaults().withSyncPolicy(SyncPolicy.parse("always")).withFileLayer(layer));
        cask.writeWithoutSync(new WriteBatch().put(b("k"), b("v"))); // appended, not yet forced
        layer.failForce = true;
        assertThatThrownBy(cask::close).isInstanceOf(StorageException.class); // the final force failed: said so
        assertThat(cask.writesStopped()).isTrue();
    }

    /**
     * Defect 5. Before: hint entries entered the keydir as they were read and the trailer was checked
     * at the end, so a hint kept beside a rewritten data file (a repair cut a record, and a crash came
     * before the hint's deletion) left the cut record's key pointing into the new file.
     */
    @Test
    void aHintWrittenForAnotherVersionOfItsDataFileIsRefusedBeforeAnythingIsApplied() throws Exception {
        CaskOptions options = CaskOptions.defaults().withMaxFileSize(300).withAutoMerge(false, 0.5, 0);
        try (Cask cask = Cask.open(dir, options)) {
            for (int i = 0; i < 30; i++) cask.put(b("key" + i), b("value-" + i));
            cask.awaitBackgroundWork();
        }
        Path first = TestFiles.segments(dir).getFirst();
        assertThat(dir.resolve(first.getFileName().toString().replace(".data", ".hint"))).exists();
        byte[] bytes = Files.readAllBytes(first);
        int firstRecord = RecordCodec.current().putSize(4, 7, 0); // "key0" = "value-0"
        Files.write(first, TestFiles.concat(java.util.Arrays.copyOf(bytes, FileHeader.SIZE), java.util.Arrays.copyOfRange(bytes, FileHeader.SIZE + firstRecord, bytes.length))); // what a repair leaves: the first record cut
        try (Cask cask = Cask.open(dir, options)) {
            assertThat(cask.get(b("key0"))).isNull(); // not an entry pointing into the rewritten file
            assertThat(s(cask.get(b("key1")))).isEqualTo("value-1");
            assertThat(cask.recoveryReport().messages()).anyMatch(m -> m.contains("written for a data file of"));
        }
    }
}

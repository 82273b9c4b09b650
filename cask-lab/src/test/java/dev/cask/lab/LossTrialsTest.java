package dev.cask.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossTrialsTest {
    @TempDir
    Path dir;

    @Test
    void theKillHarnessSeesTheLossOfAUserSpaceBufferedWriterAndNoneOfADurableOne() throws Exception {
        LossTrials trials = new LossTrials(dir, 512, 3, 42, (d, t) -> {});
        String classpath = System.getProperty("java.class.path");
        long bufferedLost = 0;
        for (int i = 0; i < 4 && bufferedLost == 0; i++) bufferedLost = Math.max(bufferedLost, trials.killOnce(SyncMode.USER_BUFFERED, classpath).lostRecords());
        assertThat(bufferedLost).as("acknowledged records lost by the buffered writer").isPositive();
        for (SyncMode mode : List.of(SyncMode.NO_FSYNC, SyncMode.FSYNC_EACH, SyncMode.FSYNC_10)) {
            FileVerdict v = trials.killOnce(mode, classpath);
            assertThat(v.ackedRecords()).as(mode.label + " acknowledged").isPositive();
            assertThat(v.lostRecords()).as(mode.label + " lost after SIGKILL").isZero();
            assertThat(v.validRecords()).isGreaterThanOrEqualTo(v.ackedRecords());
        }
    }

    @Test
    void aPowerCutDropsUnsyncedRecordsAndKeepsSyncedOnes() throws Exception {
        LossTrials trials = new LossTrials(dir, 512, 1, 7, (d, t) -> {});
        FileVerdict every10 = trials.powerCutOnce(SyncMode.FSYNC_10, PowerCutFile.Cut.DROP_PENDING, 25);
        assertThat(every10.ackedRecords()).isEqualTo(20);
        assertThat(every10.validRecords()).isEqualTo(20); // records 20..24 were written but never forced
        assertThat(every10.lostRecords()).isZero();

        FileVerdict none = trials.powerCutOnce(SyncMode.NO_FSYNC, PowerCutFile.Cut.DROP_PENDING, 25);
        assertThat(none.ackedRecords()).isEqualTo(25);
        assertThat(none.validRecords()).isZero();
        assertThat(none.lostRecords()).isEqualTo(25);

        FileVerdict osync = trials.powerCutOnce(SyncMode.O_SYNC, PowerCutFile.Cut.REORDERED_SUBSET, 25);
        assertThat(osync.validRecords()).isEqualTo(25);
        assertThat(osync.lostRecords()).isZero();

        for (PowerCutFile.Cut cut : PowerCutFile.Cut.values()) {
            for (int trial = 0; trial < 20; trial++) {
                FileVerdict v = trials.powerCutOnce(SyncMode.FSYNC_100, cut, 50 + trial * 13);
                assertThat(v.lostRecords()).as(cut + " trial " + trial).isZero();
                assertThat(v.validRecords()).isGreaterThanOrEqualTo(v.ackedRecords());
            }
        }
    }

    @Test
    void tornAndReorderedCutsLeaveTornRecordsBehind() throws Exception {
        LossTrials trials = new LossTrials(dir, 4096, 1, 11, (d, t) -> {});
        long torn = 0;
        for (int trial = 0; trial < 20; trial++) torn += trials.powerCutOnce(SyncMode.NO_FSYNC, PowerCutFile.Cut.REORDERED_SUBSET, 40).tornRecords();
        assertThat(torn).isPositive();
    }
}

package dev.cask.lab.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The claims the crash simulator's table makes, each asserted. */
class CrashSimProperties {
    @Provide
    Arbitrary<String> ops() {
        return Arbitraries.of(CrashSim.OPERATIONS);
    }

    private static List<CrashSim.Row> rows(String op, Mode mode, long seed) {
        return CrashSim.run(List.of(op), List.of(mode), true, seed);
    }

    @Test
    void theSixPartialAppendsOfOstepHaveTheirOutcomes() {
        Map<String, String> partial = rows("append", Mode.NAIVE, 1).stream()
                .filter(r -> r.reorder() && r.crashPoint() == 3 && r.recoveryCrash() < 0)
                .collect(Collectors.toMap(r -> r.persisted().replaceAll(".*only \\{(.*)}", "$1"), CrashSim.Row::outcome));
        assertThat(partial).containsEntry("Db", "old state"); // the write is lost, the file system is fine
        assertThat(partial).containsEntry("I[v2]", "consistent, but reads garbage"); // fsck fixes the bitmap, accepts the garbage
        assertThat(partial).containsEntry("B[v2]", "repaired by fsck"); // a leaked block, freed
        assertThat(partial).containsEntry("I[v2] B[v2]", "consistent, but reads garbage"); // consistent metadata, garbage data: fsck accepts
        assertThat(partial).containsEntry("Db I[v2]", "repaired by fsck"); // the bitmap is fixed, the data is right
        assertThat(partial).containsEntry("Db B[v2]", "repaired by fsck"); // a leaked block with data nobody points to
    }

    @Property(tries = 20)
    void naiveCorruptsSomewhere(@ForAll long seed) {
        assertThat(CrashSim.run(CrashSim.OPERATIONS, List.of(Mode.NAIVE), true, seed)).anyMatch(r -> r.outcome().contains("garbage") || r.outcome().contains("inconsistent"));
    }

    @Property(tries = 30)
    void journalingWithABarrierOrAChecksumAlwaysRecoversOldOrNew(@ForAll("ops") String op, @ForAll long seed) {
        for (Mode mode : List.of(Mode.JOURNAL_DATA, Mode.JOURNAL_ORDERED, Mode.JOURNAL_DATA_CHECKSUM)) {
            assertThat(rows(op, mode, seed)).allSatisfy(r -> assertThat(r.outcome()).as(r.toString()).isIn("old state", "new state"));
        }
    }

    @Property(tries = 30)
    void copyOnWriteShowsOnlyTheOldOrTheNewState(@ForAll("ops") String op, @ForAll long seed) {
        assertThat(rows(op, Mode.COW, seed)).allSatisfy(r -> assertThat(r.outcome()).as(r.toString()).isIn("old state", "new state"));
    }

    @Property(tries = 10)
    void aCommitBlockReorderedAheadOfItsBlocksCommitsGarbage(@ForAll long seed) {
        List<CrashSim.Row> unsafe = CrashSim.run(CrashSim.OPERATIONS, List.of(Mode.JOURNAL_DATA_NOBARRIER), true, seed);
        assertThat(unsafe).anyMatch(r -> r.outcome().equals("consistent, but reads garbage") || r.outcome().equals("inconsistent"));
        assertThat(CrashSim.run(CrashSim.OPERATIONS, List.of(Mode.JOURNAL_DATA_NOBARRIER), false, seed)) // without reordering it is safe
                .allSatisfy(r -> assertThat(r.outcome()).isIn("old state", "new state"));
    }

    @Property(tries = 30)
    void recoveryCrashedAndRunAgainGivesWhatOneRecoveryGives(@ForAll("ops") String op) {
        for (Mode mode : Mode.values()) {
            List<Block> initial = ModelFs.initialDisk();
            List<Step.Write> writes = ModelFs.steps(initial, op, mode).stream().filter(s -> s instanceof Step.Write).map(s -> (Step.Write) s).toList();
            for (int k = 0; k <= writes.size(); k++) {
                List<Block> crashed = ModelFs.apply(initial, writes.subList(0, k));
                List<Block> once = CrashSim.recover(crashed, mode);
                List<Step.Write> recovery = ModelFs.recoveryWrites(crashed, mode);
                for (int j = 0; j <= recovery.size(); j++) {
                    List<Block> twice = CrashSim.recover(ModelFs.apply(crashed, recovery.subList(0, j)), mode);
                    assertThat(ModelFs.problems(twice)).isEqualTo(ModelFs.problems(once));
                    if (ModelFs.problems(once).isEmpty()) assertThat(ModelFs.files(twice)).as(mode + " " + op + " k=" + k + " j=" + j).isEqualTo(ModelFs.files(once));
                }
            }
        }
    }
}

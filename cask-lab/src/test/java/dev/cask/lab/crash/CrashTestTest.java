package dev.cask.lab.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded crashtest of the real engine, and proof that the lab finds each defect the
 * {@code --broken} switches put back.
 */
class CrashTestTest {
    @TempDir
    Path scratch;

    private CrashTest.Result run(String broken, String workload, String policy, String failure) throws Exception {
        return new CrashTest(7, broken, (d, t) -> {}).run(workload, policy, failure, scratch);
    }

    /**
     * A concurrent writer is held to the moment the engine learned of a failure (its fail-stop
     * marker's creation), not to the injection, which another thread may pass before the failing
     * one is scheduled again.
     */
    @Test
    void writersAreHeldToWhenTheEngineLearnedOfTheFailure() {
        List<RecordingLayer.Op> ops = List.of(new RecordingLayer.Op.Create("db/0000000002.data"),
                new RecordingLayer.Op.Failed("syncdir db", true), new RecordingLayer.Op.KeyBegin("k", "v"),
                new RecordingLayer.Op.Create("db/" + CrashTest.FORCE_FAILED_MARKER));
        assertThat(CrashTest.engineObserved(ops)).isEqualTo(3);
        assertThat(CrashTest.engineObserved(ops.subList(0, 3))).as("no marker: the failure itself").isEqualTo(1);
        assertThat(CrashTest.engineObserved(List.of(new RecordingLayer.Op.Failed("write db/x", false),
                new RecordingLayer.Op.Create("db/" + CrashTest.FORCE_FAILED_MARKER)))).as("a failure that does not stop writes").isEqualTo(-1);
    }

    @Test
    void theEngineSurvivesEveryCrashStateOfTwoWorkloads() throws Exception {
        for (String workload : new String[] {"batches", "merge"}) {
            CrashTest.Result result = new CrashTest(7, null, (d, t) -> {}).run(workload, scratch);
            assertThat(result.statesGenerated()).as(workload).isGreaterThan(500);
            assertThat(result.violations()).as(workload).isEmpty();
        }
    }

    @Test
    void aLazyPolicyLosesNoMoreThanItsBoundIncludingTornSectors() throws Exception {
        for (String policy : new String[] {"none", "every:3:fdatasync"}) {
            CrashTest.Result result = run(null, "puts", policy, "none");
            assertThat(result.statesGenerated()).as(policy).isGreaterThan(500);
            assertThat(result.violations()).as(policy).isEmpty();
        }
    }

    @Test
    void aMissingDirectoryFsyncIsFound() throws Exception {
        CrashTest.Result result = run("dirsync", "rotation", "always", "none");
        assertThat(result.violations()).anyMatch(v -> v.contains("opened to"));
    }

    @Test
    void anAcknowledgementBeforeTheForceIsFound() throws Exception {
        assertThat(run("force", "puts", "always", "none").violations()).isNotEmpty();
    }

    /** Defect 3: open does not force what it recovered, so a sync() after a reopen from a kill forces nothing. */
    @Test
    void aSyncAfterReopenThatForcesNothingIsFound() throws Exception {
        assertThat(run(null, "reopen", "none", "none").violations()).isEmpty();
        assertThat(run("recovery-force", "reopen", "none", "none").violations()).anyMatch(v -> v.contains("power cut"));
    }

    /** Defect 4: writes go on (and are acknowledged) after a failed force. */
    @Test
    void writesAcknowledgedAfterAFailedForceAreFound() throws Exception {
        CrashTest.Result fine = run(null, "puts", "always", "eio");
        assertThat(fine.runs()).isGreaterThan(20);
        assertThat(fine.violations()).isEmpty();
        assertThat(run("failstop", "puts", "always", "eio").violations()).anyMatch(v -> v.contains("acknowledged after a failed force"));
    }

    /** Defect 6: a new directory whose parent is not synced vanishes with everything in it. */
    @Test
    void aDirectoryMadeWithoutSyncingItsParentIsFound() throws Exception {
        assertThat(run("mkdir", "puts", "always", "none").violations()).anyMatch(v -> v.contains("power cut"));
    }

    /** The fdatasync model: a new length is durable only through a force with metadata. */
    @Test
    void aLengthNeverForcedWithMetadataIsFound() throws Exception {
        assertThat(run(null, "puts", "always:fdatasync", "none").violations()).isEmpty();
        assertThat(run("fdatasync", "puts", "always:fdatasync", "none").violations()).anyMatch(v -> v.contains("power cut"));
    }

    /** cask mount's own operations: what an fsync returned for survives a power cut, under the lazy default policy. */
    @Test
    void theFilesystemKeepsWhatFsyncPromised() throws Exception {
        CrashTest.Result result = run(null, "fs", "none", "none");
        assertThat(result.statesGenerated()).isGreaterThan(1000);
        assertThat(result.violations()).isEmpty();
    }

    /** Defect 1: after a merge failed late, merging went on and dropped a tombstone an orphaned input still needed. */
    @Test
    void aMergeThatGoesOnAfterALateFailureIsFound() throws Exception {
        assertThat(run(null, "merge", "always", "eio").violations()).isEmpty();
        assertThat(run("merge-failure", "merge", "always", "eio").violations()).anyMatch(v -> v.contains("unlink") && v.contains("opened to"));
    }

    /** Defect 2: close forced aside, and a writer whose force found the file closed heard "durable" after close's force failed. */
    @Test
    void aWriterToldDurableByACloseWhoseForceFailedIsFound() throws Exception {
        assertThat(run(null, "close", "always", "none").violations()).isEmpty();
        assertThat(run("close-force", "close", "always", "none").violations()).anyMatch(v -> v.contains("power cut"));
    }

    /** Defect 5: a stale hint beside a repaired data file was applied before its trailer was checked. */
    @Test
    void aStaleHintAppliedBeforeItsCheckIsFound() throws Exception {
        assertThat(run(null, "repair", "always", "none").violations()).isEmpty();
        assertThat(run("stale-hint", "repair", "always", "none").violations()).isNotEmpty();
    }

    /** Failed on the code before the durability issue: states were told apart by a 32-bit hash, and these two shared one. */
    @Test
    void distinctCrashStatesAreNeverTakenForTheSame() {
        java.util.Map<String, byte[]> a = java.util.Map.of("db/0000000001.data", new byte[] {0, 31});
        java.util.Map<String, byte[]> b = java.util.Map.of("db/0000000001.data", new byte[] {1, 0});
        assertThat(java.util.Arrays.hashCode(a.get("db/0000000001.data"))).isEqualTo(java.util.Arrays.hashCode(b.get("db/0000000001.data")));
        assertThat(CrashTest.fingerprint(a)).isNotEqualTo(CrashTest.fingerprint(b));
        assertThat(CrashTest.fingerprint(a)).isEqualTo(CrashTest.fingerprint(java.util.Map.of("db/0000000001.data", new byte[] {0, 31})));
    }
}

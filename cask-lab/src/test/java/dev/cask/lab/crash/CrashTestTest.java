package dev.cask.lab.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bounded crashtest of the real engine, and proof that it finds a missing directory fsync and an early acknowledgement. */
class CrashTestTest {
    @TempDir
    Path scratch;

    @Test
    void theEngineSurvivesEveryCrashStateOfTwoWorkloads() throws Exception {
        for (String workload : new String[] {"batches", "merge"}) {
            CrashTest.Result result = new CrashTest(7, false, false, (d, t) -> {}).run(workload, scratch);
            assertThat(result.statesGenerated()).as(workload).isGreaterThan(500);
            assertThat(result.violations()).as(workload).isEmpty();
        }
    }

    @Test
    void aMissingDirectoryFsyncIsFound() throws Exception {
        CrashTest.Result result = new CrashTest(7, true, false, (d, t) -> {}).run("rotation", scratch);
        assertThat(result.violations()).isNotEmpty();
        assertThat(result.violations()).anyMatch(v -> v.contains("opened to"));
    }

    @Test
    void anAcknowledgementBeforeTheForceIsFound() throws Exception {
        CrashTest.Result result = new CrashTest(7, false, true, (d, t) -> {}).run("puts", scratch);
        assertThat(result.violations()).isNotEmpty();
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

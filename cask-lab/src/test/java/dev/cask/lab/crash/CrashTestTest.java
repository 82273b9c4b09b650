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
}

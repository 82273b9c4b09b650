package dev.cask.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hardening issue's soak, short: {@code cask bench hostile} runs the real server in its own JVM
 * (heap 512 MiB) under random and adversarial bytes, huge declared lengths, slow readers, floods of
 * connections, pipelines past every limit, HTTP requests and resets, beside well-behaved clients.
 */
class HostileSoakIT {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll", "io_uring"})
    void wellBehavedClientsSeeNoErrorAndNothingAcknowledgedIsLost(String transport) throws Exception {
        CaskProcess.Result r = CaskProcess.run("bench", "hostile", "--seconds", "6", "--transport", transport, "--json", "--dir", dir.toString());
        String json = r.out();
        assertThat(r.exitCode()).as(json + r.stderr()).isZero();
        assertThat(json).contains("\"ok\":true", "\"wellBehavedErrors\":0", "\"lostAfterRestart\":0", "\"serverAliveAtEnd\":true",
                "\"transport\":\"" + transport + "\"");
        assertThat(json).doesNotContain("\"wellBehavedOps\":0,");
    }
}

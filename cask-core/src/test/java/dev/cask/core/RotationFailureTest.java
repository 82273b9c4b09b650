package dev.cask.core;

import dev.cask.testkit.FaultyFileLayer;
import static dev.cask.core.TestFiles.b;
import static dev.cask.core.TestFiles.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotation leaves a consistent state whatever step of it fails. Failed on the code before the
 * hardening issue: a failed creation of the next segment left the sealed old one as the active
 * segment, and the next write got a NullPointerException (which stopped the server's loop, or
 * turned every write through the mount into EIO).
 */
class RotationFailureTest {
    @TempDir
    Path dir;

    @Test
    void aFailedSegmentCreationFailsThatWriteCleanlyAndTheNextWriteRotates() throws Exception {
        FaultyFileLayer layer = new FaultyFileLayer();
        CaskOptions options = CaskOptions.defaults().withMaxFileSize(200).withAutoMerge(false, 0.5, 0).withFileLayer(layer);
        try (Cask cask = Cask.open(dir, options)) {
            int i = 0;
            while (TestFiles.segments(dir).size() < 2) cask.put(b("k" + i), b("value-" + i++));
            int before = TestFiles.segments(dir).size();
            layer.failNextSegmentCreation = true;
            String failedKey = "big";
            // too big for what is left of the active segment (one record in it): rotates, and the creation fails
            assertThatThrownBy(() -> cask.put(b("big"), b("v".repeat(180)))).isInstanceOf(StorageException.class)
                    .isNotInstanceOf(WritesStoppedException.class).hasMessageContaining("nothing was written");
            assertThat(cask.get(b(failedKey))).isNull();
            // small enough for the old segment: before, it was appended to the sealed segment's closed file (a NullPointerException)
            cask.put(b("after"), b("ok"));
            assertThat(TestFiles.segments(dir).size()).isGreaterThan(before);
            assertThat(s(cask.get(b("after")))).isEqualTo("ok");
            assertThat(s(cask.get(b("k0")))).isEqualTo("value-0");
        }
        try (Cask cask = Cask.open(dir, CaskOptions.defaults().withMaxFileSize(200))) {
            assertThat(s(cask.get(b("after")))).isEqualTo("ok");
        }
    }

    /** A transient failure at each mutating step of a put that rotates: nothing acknowledged is lost, nothing throws but a clear error. */
    @Test
    void aFailureAtEveryStepOfRotationLeavesAConsistentDatabase() throws Exception {
        for (int step = 1; step <= 6; step++) {
            Path db = Files.createDirectories(dir.resolve("step" + step));
            FaultyFileLayer layer = new FaultyFileLayer();
            CaskOptions options = CaskOptions.defaults().withMaxFileSize(120).withAutoMerge(false, 0.5, 0).withFileLayer(layer);
            Map<String, String> acknowledged = new LinkedHashMap<>();
            try (Cask cask = Cask.open(db, options)) {
                cask.put(b("a"), b("x".repeat(50)));
                acknowledged.put("a", "x".repeat(50));
                cask.awaitBackgroundWork();
                layer.failOnceAtOp = layer.ops.get() + step; // the put below rotates: trim, force, (create), syncdir, write
                for (int i = 0; i < 3; i++) {
                    try {
                        cask.put(b("b" + i), b("y".repeat(50)));
                        acknowledged.put("b" + i, "y".repeat(50));
                    } catch (WritesStoppedException stopped) {
                        break; // a failed trim or force: writing stops until reopen, as it must
                    } catch (StorageException refused) {
                        assertThat(refused.getMessage()).isNotBlank();
                    }
                }
                cask.awaitBackgroundWork();
            } catch (StorageException closeAfterStop) {
                // close after a failed force reports it; what was acknowledged before must still be there
            }
            java.nio.file.Files.deleteIfExists(db.resolve(FailStopLayer.MARKER)); // a failed force: the operator's step before reopening
            try (Cask cask = Cask.open(db, CaskOptions.defaults().withMaxFileSize(120))) {
                for (var e : acknowledged.entrySet()) assertThat(s(cask.get(b(e.getKey())))).as("step " + step + " " + e.getKey()).isEqualTo(e.getValue());
            }
        }
    }

    @Test
    void noNullPointerEvenWhenCreationKeepsFailing() throws Exception {
        FaultyFileLayer layer = new FaultyFileLayer();
        CaskOptions options = CaskOptions.defaults().withMaxFileSize(100).withAutoMerge(false, 0.5, 0).withFileLayer(layer);
        try (Cask cask = Cask.open(dir, options)) {
            cask.put(b("a"), b("x".repeat(60)));
            for (int i = 0; i < 5; i++) {
                layer.failNextSegmentCreation = true;
                int n = i;
                assertThatThrownBy(() -> cask.put(b("b" + n), b("y".repeat(60)))).isInstanceOf(StorageException.class)
                        .hasMessageContaining("cannot create segment");
                assertThat(s(cask.get(b("a")))).isEqualTo("x".repeat(60));
            }
            cask.put(b("c"), b("z"));
            assertThat(s(cask.get(b("c")))).isEqualTo("z");
        }
    }
}

package dev.cask.core;

import dev.cask.testkit.FaultyFileLayer;
import static dev.cask.core.TestFiles.b;
import static dev.cask.core.TestFiles.s;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes a merge before each of its file operations (writes, forces, renames, deletes, directory
 * syncs), reopens, checks the data is exactly what it was, then merges again after the reopen
 * and checks again. Deleted keys are spread so that a put and its tombstone sit in different
 * segments: the shape of basho/bitcask#82, where a partial merge brought deleted keys back.
 */
class MergeCrashTest {
    @TempDir
    Path root;

    private final CaskOptions options = CaskOptions.defaults().withMaxFileSize(512).withAutoMerge(false, 0.5, 0);

    private Map<String, String> buildBase(Path dir) {
        Map<String, String> truth = new HashMap<>();
        try (Cask cask = Cask.open(dir, options)) {
            for (int k = 0; k < 30; k++) {
                cask.put(b("key" + k), b("first-" + k));
                truth.put("key" + k, "first-" + k);
            }
            for (int k = 0; k < 30; k += 3) {
                cask.put(b("key" + k), b("second-" + k));
                truth.put("key" + k, "second-" + k);
            }
            for (int k = 1; k < 30; k += 3) { // tombstones in later segments than their puts
                cask.delete(b("key" + k));
                truth.remove("key" + k);
            }
            cask.write(new WriteBatch().put(b("batched"), b("yes")).delete(b("key2")));
            truth.put("batched", "yes");
            truth.remove("key2");
            cask.awaitBackgroundWork();
        }
        return truth;
    }

    private static Map<String, String> state(Cask cask) {
        Map<String, String> actual = new HashMap<>();
        for (byte[] key : cask.keys()) actual.put(s(key), s(cask.get(key)));
        return actual;
    }

    @Test
    void aCrashBeforeAnyStepOfAMergeLosesNothingAndResurrectsNothing() throws IOException {
        Path base = root.resolve("base");
        Map<String, String> truth = buildBase(base);

        FaultyFileLayer counting = new FaultyFileLayer();
        Path dry = copy(base, root.resolve("dry"));
        int mergeOps;
        try (Cask cask = Cask.open(dry, options.withFileLayer(counting))) {
            int before = counting.ops.get();
            cask.merge();
            mergeOps = counting.ops.get() - before;
            assertThat(state(cask)).isEqualTo(truth);
        }
        assertThat(counting.log).anyMatch(op -> op.startsWith("rename")).anyMatch(op -> op.startsWith("delete"));
        assertThat(mergeOps).isGreaterThan(20);

        for (int crashAt = 1; crashAt <= mergeOps; crashAt++) {
            Path dir = copy(base, root.resolve("crash" + crashAt));
            FaultyFileLayer faults = new FaultyFileLayer();
            Cask cask = Cask.open(dir, options.withFileLayer(faults));
            faults.crashAtOp = faults.ops.get() + crashAt;
            try {
                cask.merge();
            } catch (CaskException expected) {
                // the crash
            }
            String step = faults.log.isEmpty() ? "?" : faults.log.get(faults.log.size() - 1);
            try {
                cask.close();
            } catch (CaskException ignored) {
                // a "dead" process cannot close cleanly
            }
            try (Cask reopened = Cask.open(dir, options)) {
                assertThat(state(reopened)).as("after a crash before op %d (%s)", crashAt, step).isEqualTo(truth);
                reopened.merge(); // merging again after the partial merge and reopen
                assertThat(state(reopened)).as("after re-merging, crash at op %d (%s)", crashAt, step).isEqualTo(truth);
            }
            try (Cask reopened = Cask.open(dir, options)) {
                assertThat(state(reopened)).as("reopened after re-merge, crash at op %d (%s)", crashAt, step).isEqualTo(truth);
            }
            assertThat(Verifier.check(dir, options, false).problems()).as("check after crash at op %d", crashAt).isEmpty();
        }
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) Files.copy(f, to.resolve(f.getFileName()));
        }
        return to;
    }
}

package dev.cask.core;

import static dev.cask.core.TestFiles.b;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hints of a megabyte or more are decoded on a second thread while the opening thread inserts
 * (issue 18). The keydir must come out exactly as a one-thread load makes it: every key, its
 * deletes and expiries, in file order; and a hint damaged half way must still be refused (after
 * its first batches were applied) and its segment scanned instead.
 */
class HintLoaderTest {
    @TempDir
    Path dir;

    private static final int KEYS = 120_000;
    private final CaskOptions options = CaskOptions.defaults().withMaxFileSize(3L << 20).withAutoMerge(false, 0.5, 0);

    private void fill() {
        try (Cask cask = Cask.open(dir, options)) {
            for (int i = 0; i < KEYS; i++) cask.put(b("key-" + i), b("value-" + i), i % 5 == 0 ? 4_000_000_000_000L + i : 0);
            for (int i = 0; i < KEYS; i += 7) cask.delete(b("key-" + i));
            for (int i = 3; i < KEYS; i += 11) cask.put(b("key-" + i), b("again-" + i));
        }
    }

    private void assertAllThere(Cask cask) {
        for (int i = 0; i < KEYS; i++) {
            byte[] value = cask.get(b("key-" + i));
            if (i % 7 == 0 && !((i - 3) % 11 == 0 && i >= 3)) {
                assertThat(value).as("key-%d was deleted", i).isNull();
                continue;
            }
            String expected = (i - 3) % 11 == 0 && i >= 3 ? "again-" + i : "value-" + i;
            assertThat(value).as("key-%d", i).isEqualTo(b(expected));
            long expiry = cask.metadata(b("key-" + i)).expiry();
            assertThat(expiry).as("expiry of key-%d", i).isEqualTo(expected.startsWith("value") && i % 5 == 0 ? 4_000_000_000_000L + i : 0);
        }
    }

    private List<Path> bigHints() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".hint")).filter(p -> p.toFile().length() > (1 << 20)).sorted().toList();
        }
    }

    @Test
    void largeHintsLoadOnTwoThreadsExactlyAsOneWould() throws Exception {
        fill();
        assertThat(bigHints()).as("hints large enough for the second thread").hasSizeGreaterThan(1);
        try (Cask cask = Cask.open(dir, options)) {
            assertThat(cask.recoveryReport().hintsUsed()).isEqualTo(TestFiles.segments(dir).size());
            assertAllThere(cask);
            assertThat(cask.stats().keys()).isEqualTo(cask.keys().size());
        }
    }

    @Test
    void aHintDamagedHalfWayIsRefusedAfterItsFirstBatchesAndItsSegmentScanned() throws Exception {
        fill();
        Path hint = bigHints().getFirst();
        TestFiles.flipByte(hint, hint.toFile().length() * 3 / 5);
        long liveBytes;
        try (Cask cask = Cask.open(dir, options)) {
            assertThat(cask.recoveryReport().messages()).anyMatch(m -> m.contains(hint.getFileName().toString()) && m.contains("not valid"));
            assertAllThere(cask);
            liveBytes = cask.stats().liveBytes();
        }
        try (Cask cask = Cask.open(dir, options.withUseHints(false))) {
            assertThat(liveBytes).as("live bytes counted once, although a prefix of the damaged hint was applied before the scan")
                    .isEqualTo(cask.stats().liveBytes());
        }
    }
}

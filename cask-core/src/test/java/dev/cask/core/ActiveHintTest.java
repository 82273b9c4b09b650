package dev.cask.core;

import static dev.cask.core.TestFiles.b;
import static dev.cask.core.TestFiles.s;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Instant reopen: a clean close leaves a hint for the active segment too, the next open reads it
 * instead of the records, and deletes it before anything is appended, so that a hint never
 * describes only a prefix of a file that grew after it.
 */
class ActiveHintTest {
    @TempDir
    Path dir;

    private Path activeHint() throws Exception {
        String data = TestFiles.newestSegment(dir).getFileName().toString();
        return dir.resolve(data.replace(".data", ".hint"));
    }

    @Test
    void aCleanCloseLeavesAHintForTheActiveSegmentAndOpenUsesItThenDeletesIt() throws Exception {
        try (Cask cask = Cask.open(dir)) {
            for (int i = 0; i < 1000; i++) cask.put(b("key" + i), b("value-" + i));
            cask.delete(b("key7"));
            cask.put(b("ttl"), b("v"), System.currentTimeMillis() + 3_600_000);
        }
        assertThat(TestFiles.segments(dir)).hasSize(1);
        assertThat(activeHint()).exists();
        try (Cask cask = Cask.open(dir)) {
            assertThat(cask.recoveryReport().hintsUsed()).as("the active segment came from its hint").isEqualTo(1);
            assertThat(activeHint()).as("deleted before anything is appended").doesNotExist();
            assertThat(cask.get(b("key7"))).isNull();
            assertThat(s(cask.get(b("key999")))).isEqualTo("value-999");
            assertThat(cask.metadata(b("ttl")).expiry()).isPositive();
            assertThat(cask.size()).isEqualTo(1000);
            cask.put(b("after"), b("reopen"));
        }
        try (Cask cask = Cask.open(dir)) {
            assertThat(s(cask.get(b("after")))).isEqualTo("reopen");
            assertThat(cask.size()).isEqualTo(1001);
        }
    }

    @Test
    void aHintThatNoLongerNamesTheFilesSizeIsRefusedAndTheSegmentScanned() throws Exception {
        try (Cask cask = Cask.open(dir)) {
            for (int i = 0; i < 100; i++) cask.put(b("key" + i), b("value-" + i));
        }
        Path hint = activeHint();
        byte[] kept = Files.readAllBytes(hint);
        try (Cask cask = Cask.open(dir)) { // the hint is used and deleted; then the file grows
            cask.put(b("key5"), b("newer"));
            cask.put(b("late"), b("x"));
        }
        Files.write(hint, kept); // as if the delete had been lost: a hint of a prefix beside a longer file
        try (Cask cask = Cask.open(dir)) {
            assertThat(cask.recoveryReport().hintsUsed()).isZero();
            assertThat(cask.recoveryReport().messages()).anyMatch(m -> m.contains("of the newest segment is not valid"));
            assertThat(s(cask.get(b("key5")))).isEqualTo("newer");
            assertThat(s(cask.get(b("late")))).isEqualTo("x");
        }
    }

    @Test
    void withoutHintsNoneIsWrittenAndAStaleOneIsStillDeleted() throws Exception {
        CaskOptions noHints = CaskOptions.defaults().withUseHints(false);
        try (Cask cask = Cask.open(dir, noHints)) {
            cask.put(b("k"), b("v"));
        }
        assertThat(activeHint()).doesNotExist();
        try (Cask cask = Cask.open(dir)) {
            cask.put(b("k2"), b("v2"));
        }
        assertThat(activeHint()).exists();
        try (Cask cask = Cask.open(dir, noHints)) {
            assertThat(cask.recoveryReport().hintsUsed()).isZero();
            assertThat(activeHint()).doesNotExist();
            assertThat(s(cask.get(b("k2")))).isEqualTo("v2");
        }
    }
}

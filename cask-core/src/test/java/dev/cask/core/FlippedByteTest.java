package dev.cask.core;

import static dev.cask.core.TestFiles.b;
import static dev.cask.core.TestFiles.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A flipped byte in the middle of a closed segment: open refuses, check finds it, repair cuts only that record. */
class FlippedByteTest {
    @TempDir
    Path dir;

    private final CaskOptions withHints = CaskOptions.defaults().withMaxFileSize(600); // five segments of 100 records, the second holding only 5-byte keys
    private CaskOptions options = withHints.withUseHints(false);

    @Test
    void withAHintOpenTrustsItAndTheDamageIsAnErrorOnReadNeverAWrongValue() throws Exception {
        try (Cask cask = Cask.open(dir, withHints)) {
            for (int i = 0; i < 100; i++) cask.put(b("key" + i), b("value-" + i));
            cask.awaitBackgroundWork();
        }
        Path victim = TestFiles.segments(dir).get(1);
        assertThat(dir.resolve(victim.getFileName().toString().replace(".data", ".hint"))).exists();
        long recordLength = RecordCodec.current().putSize(5, 8, 0);
        TestFiles.flipByte(victim, FileHeader.SIZE + recordLength * 3 + TestFiles.HEADER + 7); // inside the 4th record's value
        try (Cask cask = Cask.open(dir, withHints)) {
            assertThat(cask.recoveryReport().hintsUsed()).isGreaterThan(1);
            int damaged = 0;
            for (int i = 0; i < 100; i++) {
                try {
                    assertThat(s(cask.get(b("key" + i)))).isEqualTo("value-" + i);
                } catch (CorruptionException e) {
                    assertThat(e).hasMessageContaining(victim.getFileName().toString()).hasMessageContaining("offset " + (FileHeader.SIZE + recordLength * 3));
                    damaged++;
                }
            }
            assertThat(damaged).isEqualTo(1);
        }
        assertThat(Verifier.check(dir, withHints, false).problems()).hasSize(1);
        assertThat(Verifier.check(dir, withHints, true).repairs()).hasSize(1);
        try (Cask cask = Cask.open(dir, withHints)) {
            int readable = 0;
            for (int i = 0; i < 100; i++) if (cask.get(b("key" + i)) != null) readable++;
            assertThat(readable).isEqualTo(99);
        }
    }

    @Test
    void withoutAHintClosedSegmentDamageIsRefusedLoudlyThenRepaired() throws Exception {
        try (Cask cask = Cask.open(dir, options)) {
            for (int i = 0; i < 100; i++) cask.put(b("key" + i), b("value-" + i));
        }
        try (var hints = java.nio.file.Files.list(dir)) {
            for (Path h : hints.filter(p -> p.toString().endsWith(".hint")).toList()) java.nio.file.Files.delete(h);
        }
        List<Path> segments = TestFiles.segments(dir);
        assertThat(segments.size()).isGreaterThan(3);
        Path victim = segments.get(1);
        long recordLength = RecordCodec.current().putSize(5, 8, 0); // "key1x" / "value-1x" sized records in this segment
        long offset = FileHeader.SIZE + recordLength * 3 + TestFiles.HEADER + 2; // inside the key of the 4th record
        TestFiles.flipByte(victim, offset);

        assertThatThrownBy(() -> Cask.open(dir, options)).isInstanceOf(CorruptionException.class)
                .hasMessageContaining(victim.getFileName().toString())
                .hasMessageContaining("offset " + (FileHeader.SIZE + recordLength * 3))
                .hasMessageContaining("cask check --repair");

        CheckReport found = Verifier.check(dir, options, false);
        assertThat(found.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(victim.getFileName().toString());
            assertThat(p.offset()).isEqualTo(FileHeader.SIZE + recordLength * 3);
            assertThat(p.length()).isEqualTo(recordLength);
        });
        assertThat(found.healthy()).isFalse();
        long sizeBefore = Files.size(victim);

        CheckReport repaired = Verifier.check(dir, options, true);
        assertThat(repaired.repairs()).hasSize(1);
        assertThat(Files.size(victim)).isEqualTo(sizeBefore - recordLength);
        assertThat(dir.resolve(SegmentNames.LOST_AND_FOUND).toFile().list()).hasSize(1);

        try (Cask cask = Cask.open(dir, options)) {
            int missing = 0;
            for (int i = 0; i < 100; i++) {
                byte[] v = cask.get(b("key" + i));
                if (v == null) missing++;
                else assertThat(s(v)).isEqualTo("value-" + i);
            }
            assertThat(missing).isEqualTo(1);
        }
        assertThat(Verifier.check(dir, options, false).problems()).isEmpty();
    }
}

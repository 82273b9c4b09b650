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

    private final CaskOptions options = CaskOptions.defaults().withMaxFileSize(1000);

    @Test
    void closedSegmentDamageIsRefusedLoudlyThenRepaired() throws Exception {
        try (Cask cask = Cask.open(dir, options)) {
            for (int i = 0; i < 100; i++) cask.put(b("key" + i), b("value-" + i));
        }
        List<Path> segments = TestFiles.segments(dir);
        assertThat(segments.size()).isGreaterThan(3);
        Path victim = segments.get(1);
        long recordLength = RecordCodec.putSize(5, 8); // "key1x" / "value-1x" sized records in this segment
        long offset = recordLength * 3 + RecordCodec.HEADER_SIZE + 2; // inside the key of the 4th record
        TestFiles.flipByte(victim, offset);

        assertThatThrownBy(() -> Cask.open(dir, options)).isInstanceOf(CorruptionException.class)
                .hasMessageContaining(victim.getFileName().toString())
                .hasMessageContaining("offset " + recordLength * 3)
                .hasMessageContaining("cask check --repair");

        CheckReport found = Verifier.check(dir, options, false);
        assertThat(found.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(victim.getFileName().toString());
            assertThat(p.offset()).isEqualTo(recordLength * 3);
            assertThat(p.length()).isEqualTo(recordLength);
        });
        assertThat(found.healthy()).isFalse();
        long sizeBefore = Files.size(victim);

        CheckReport repaired = Verifier.check(dir, options, true);
        assertThat(repaired.repairs()).hasSize(1);
        assertThat(Files.size(victim)).isEqualTo(sizeBefore - recordLength);
        assertThat(Files.list(dir.resolve(SegmentNames.LOST_AND_FOUND)).toList()).hasSize(1);

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

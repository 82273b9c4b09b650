package dev.cask.core;

import static dev.cask.core.TestFiles.b;
import static dev.cask.core.TestFiles.s;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segment ids only grow (each merge takes its inputs' count plus two). Failed on the code before
 * the hardening issue: the keydir packed the id in 24 bits, so a database whose ids passed
 * 2^24 - 1 could not be opened (and the write that crossed it was appended, then refused).
 */
class SegmentIdsTest {
    @TempDir
    Path dir;

    @Test
    void idsPastTwentyFourBitsOpenWriteMergeAndReopen() throws Exception {
        CaskOptions options = CaskOptions.defaults().withMaxFileSize(300).withAutoMerge(false, 0.5, 0);
        try (Cask cask = Cask.open(dir, options)) {
            for (int i = 0; i < 20; i++) cask.put(b("k" + (i % 7)), b("value-" + i));
        }
        // renumber every segment as if the database had lived through millions of segments
        int shift = (1 << 24) - 3;
        for (Path p : TestFiles.segments(dir).reversed()) {
            int id = SegmentNames.dataId(p.getFileName().toString());
            Files.move(p, dir.resolve(SegmentNames.dataName(id + shift)));
            Path hint = dir.resolve(SegmentNames.hintName(id));
            Files.deleteIfExists(hint); // hints name their own segment; let open scan instead
        }
        try (Cask cask = Cask.open(dir, options)) {
            for (int i = 0; i < 7; i++) assertThat(cask.get(b("k" + i))).isNotNull();
            for (int i = 20; i < 60; i++) cask.put(b("k" + (i % 7)), b("value-" + i)); // rotates past 2^24
            cask.merge();
            for (int i = 60; i < 80; i++) cask.put(b("k" + (i % 7)), b("value-" + i));
        }
        assertThat(TestFiles.segments(dir).stream().mapToInt(p -> SegmentNames.dataId(p.getFileName().toString())).max().orElseThrow())
                .isGreaterThan(1 << 24);
        try (Cask cask = Cask.open(dir, options)) {
            for (int i = 73; i < 80; i++) assertThat(s(cask.get(b("k" + (i % 7))))).isEqualTo("value-" + i);
        }
    }

    @Test
    void slotsOfRemovedSegmentsAreReused() throws Exception {
        CaskOptions options = CaskOptions.defaults().withMaxFileSize(200).withAutoMerge(false, 0.5, 0);
        try (Cask cask = Cask.open(dir, options)) {
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < 30; i++) cask.put(b("k" + (i % 5)), b("value-" + round + "-" + i));
                cask.merge();
            }
            int alive = TestFiles.segments(dir).size();
            assertThat(cask.segmentSlotsInUse()).isLessThanOrEqualTo(alive + 1);
            for (int i = 25; i < 30; i++) assertThat(s(cask.get(b("k" + (i % 5))))).isEqualTo("value-4-" + i);
        }
    }
}

package dev.cask.core;

import static dev.cask.core.TestFiles.b;
import static dev.cask.core.TestFiles.s;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cuts, zero-fills and garbage-fills the active segment's tail; every whole record must survive and no partial one. */
class TornTailTest {
    @TempDir
    Path root;

    private final List<long[]> recordEnds = new ArrayList<>(); // {offset after record i}

    /**
     * Fixed timestamps, so the bytes (CRCs among them) are the same every run. A torn record whose
     * written part is only zeros cannot be told from space grown ahead of the writer, and recovery
     * cuts it as such, without counting it as dropped; with the wall clock, a CRC starting with a
     * zero byte now and then made the cut-at-every-byte test count one byte fewer.
     */
    private static final CaskOptions FIXED_TIME = CaskOptions.defaults()
            .withClock(java.time.Clock.fixed(java.time.Instant.parse("2026-11-22T12:00:00Z"), java.time.ZoneOffset.UTC));

    /**
     * Writes the base data and returns the active segment's bytes; the last records' ends are in
     * recordEnds. Each write is made by a database of its own, so that the file's size after close
     * is where the records end (an open database keeps the file grown ahead of its writes).
     */
    private byte[] writeBase(Path dir) throws IOException {
        recordEnds.clear();
        try (Cask cask = Cask.open(dir, FIXED_TIME)) {
            cask.put(b("stable"), b("kept"));
        }
        for (int i = 0; i < 3; i++) {
            try (Cask cask = Cask.open(dir, FIXED_TIME)) {
                cask.put(b("k" + i), b("value-" + i));
            }
            recordEnds.add(new long[] {Files.size(TestFiles.newestSegment(dir))});
        }
        try (Cask cask = Cask.open(dir, FIXED_TIME)) {
            cask.write(new WriteBatch().put(b("b1"), b("x")).put(b("b2"), b("y")));
        }
        recordEnds.add(new long[] {Files.size(TestFiles.newestSegment(dir))});
        assertThat(recordEnds.get(3)[0]).isEqualTo(Files.size(TestFiles.newestSegment(dir))).isLessThan(1000);
        return Files.readAllBytes(TestFiles.newestSegment(dir));
    }

    @Test
    void truncatedAtEveryByteOfTheLastRecordsKeepsExactlyTheWholeOnes() throws IOException {
        Path base = root.resolve("base");
        byte[] full = writeBase(base);
        long firstCut = recordEnds.get(0)[0] - RecordCodec.current().putSize(2, 7, 0);
        for (long cut = firstCut; cut <= full.length; cut++) {
            Path dir = root.resolve("cut" + cut);
            Files.createDirectories(dir);
            Files.write(dir.resolve(SegmentNames.dataName(1)), java.util.Arrays.copyOf(full, (int) cut));
            try (Cask cask = Cask.open(dir)) {
                assertThat(s(cask.get(b("stable")))).isEqualTo("kept");
                for (int i = 0; i < 3; i++) {
                    boolean whole = cut >= recordEnds.get(i)[0];
                    assertThat(s(cask.get(b("k" + i)))).as("k%d at cut %d", i, cut).isEqualTo(whole ? "value-" + i : null);
                }
                boolean batch = cut >= recordEnds.get(3)[0];
                assertThat(s(cask.get(b("b1")))).as("b1 at cut %d", cut).isEqualTo(batch ? "x" : null);
                assertThat(s(cask.get(b("b2")))).as("b2 at cut %d", cut).isEqualTo(batch ? "y" : null);
                long expectedSize = cut;
                for (int i = recordEnds.size() - 1; i >= 0; i--) if (cut < recordEnds.get(i)[0]) expectedSize = i == 0 ? firstCut : recordEnds.get(i - 1)[0];
                boolean torn = expectedSize != cut;
                assertThat(cask.recoveryReport().droppedBytes()).as("dropped at cut %d", cut).isEqualTo(torn ? cut - expectedSize : 0);
                cask.put(b("after"), b("ok"));
            }
            try (Cask cask = Cask.open(dir)) {
                assertThat(s(cask.get(b("after")))).isEqualTo("ok");
                assertThat(cask.recoveryReport().droppedBytes()).isZero();
            }
        }
    }

    @Test
    void zerosAppendedAreCutSilentlyAsSpaceTheWriterNeverReached() throws IOException {
        Path dir = root.resolve("zeros");
        byte[] base = writeBase(dir);
        TestFiles.append(TestFiles.newestSegment(dir), new byte[4096]);
        CheckReport check = Verifier.check(dir, CaskOptions.defaults(), false);
        assertThat(check.problems()).as("zeros at the end of the newest segment are not damage").isEmpty();
        assertThat(check.keysVerified()).isEqualTo(6);
        assertThat(Files.size(TestFiles.newestSegment(dir))).as("check changes nothing").isEqualTo(base.length + 4096);
        try (Cask cask = Cask.open(dir)) {
            assertThat(cask.recoveryReport().droppedBytes()).isZero();
            assertThat(cask.recoveryReport().droppedRecords()).isZero();
            assertThat(cask.recoveryReport().messages()).anyMatch(m -> m.contains("cut 4096 byte(s) of zeros past the last record"));
            assertAllPresent(cask);
        }
        assertThat(Files.exists(dir.resolve(SegmentNames.LOST_AND_FOUND))).as("no copy of zeros is kept").isFalse();
        assertThat(Files.readAllBytes(TestFiles.newestSegment(dir))).isEqualTo(base);
    }

    @Test
    void zerosAfterATornRecordStillMakeATornTail() throws IOException {
        Path dir = root.resolve("torn-then-zeros");
        byte[] base = writeBase(dir);
        byte[] tail = new byte[4096];
        System.arraycopy(base, (int) recordEnds.get(0)[0], tail, 0, 20); // the first 20 bytes of a record: a header cut short
        TestFiles.append(TestFiles.newestSegment(dir), tail);
        assertAllPresentAndTailCut(dir, 4096);
        assertThat(dir.resolve(SegmentNames.LOST_AND_FOUND).toFile().list()).hasSize(1);
    }

    @Test
    void zerosAfterAnUncommittedBatchDropTheBatchAndKeepACopyOfItAlone() throws IOException {
        Path dir = root.resolve("batch-then-zeros");
        writeBase(dir);
        java.nio.ByteBuffer batch = RecordCodec.allocate(1024);
        RecordCodec.current().encodeControl(batch, 1, RecordCodec.CONTROL_BATCH_BEGIN, 2);
        RecordCodec.current().encodePut(batch, 1, 0, b("b1"), b("lost"));
        byte[] open = java.util.Arrays.copyOf(batch.array(), batch.arrayOffset() + batch.position()); // a begin and one put, no commit
        byte[] tail = java.util.Arrays.copyOf(open, open.length + 4096);
        TestFiles.append(TestFiles.newestSegment(dir), tail);
        try (Cask cask = Cask.open(dir)) {
            assertThat(cask.recoveryReport().droppedBytes()).isEqualTo(open.length);
            assertThat(cask.recoveryReport().droppedRecords()).isEqualTo(3);
            assertAllPresent(cask);
        }
        List<Path> copies;
        try (var listed = Files.list(dir.resolve(SegmentNames.LOST_AND_FOUND))) {
            copies = listed.toList();
        }
        assertThat(copies).hasSize(1);
        assertThat(Files.readAllBytes(copies.get(0))).isEqualTo(open);
    }

    @Test
    void garbageAppendedIsCutAndNothingIsLost() throws IOException {
        Path dir = root.resolve("garbage");
        writeBase(dir);
        byte[] garbage = new byte[777];
        new Random(7).nextBytes(garbage);
        TestFiles.append(TestFiles.newestSegment(dir), garbage);
        byte[] damaged = Files.readAllBytes(TestFiles.newestSegment(dir));
        CheckReport check = Verifier.check(dir, CaskOptions.defaults(), false);
        assertThat(check.problems()).hasSize(1);
        assertThat(Files.readAllBytes(TestFiles.newestSegment(dir))).as("check without --repair changes nothing").isEqualTo(damaged);
        assertThat(Files.exists(dir.resolve(SegmentNames.LOST_AND_FOUND))).isFalse();
        assertAllPresentAndTailCut(dir, 777);
        assertThat(dir.resolve(SegmentNames.LOST_AND_FOUND).toFile().list()).hasSize(1);
    }

    private void assertAllPresentAndTailCut(Path dir, long tail) throws IOException {
        try (Cask cask = Cask.open(dir)) {
            assertThat(cask.recoveryReport().droppedBytes()).isEqualTo(tail);
            assertThat(cask.recoveryReport().messages()).anyMatch(m -> m.contains("torn tail of " + tail));
            assertAllPresent(cask);
        }
        assertThat(Verifier.check(dir, CaskOptions.defaults(), false).problems()).isEmpty();
    }

    private static void assertAllPresent(Cask cask) {
        assertThat(s(cask.get(b("stable")))).isEqualTo("kept");
        for (int i = 0; i < 3; i++) assertThat(s(cask.get(b("k" + i)))).isEqualTo("value-" + i);
        assertThat(s(cask.get(b("b1")))).isEqualTo("x");
        assertThat(s(cask.get(b("b2")))).isEqualTo("y");
    }
}

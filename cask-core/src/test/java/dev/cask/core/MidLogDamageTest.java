package dev.cask.core;

import static dev.cask.core.TestFiles.b;
import static dev.cask.core.TestFiles.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage in the middle of the active segment is not a torn tail. Failed on the code before the
 * hardening issue: recovery cut at the first bad record and dropped every later record, so
 * {@code set k old; set a 1; set k new} with the middle record damaged opened to {@code k = old}.
 */
class MidLogDamageTest {
    @TempDir
    Path dir;

    /**
     * Without hints: the damage is made in the newest segment after a clean close, whose hint open
     * would trust (as it trusts any hint; the damage then shows on read, see FlippedByteTest).
     * These tests are about what the scan finds.
     */
    private final CaskOptions options = CaskOptions.defaults().withUseHints(false);

    private long writeThreeAndDamageTheMiddle() throws Exception {
        try (Cask cask = Cask.open(dir, options)) {
            cask.put(b("k"), b("old"));
            cask.put(b("a"), b("1"));
            cask.put(b("k"), b("new"));
        }
        long second = (long) FileHeader.SIZE + RecordCodec.current().putSize(1, 3, 0);
        TestFiles.flipByte(TestFiles.newestSegment(dir), second + 5); // inside the timestamp: only the CRC can tell
        return second;
    }

    @Test
    void byDefaultOpenRefusesNamingTheOffsetTheRecordsThatFollowAndTheRepair() throws Exception {
        long second = writeThreeAndDamageTheMiddle();
        byte[] before = Files.readAllBytes(TestFiles.newestSegment(dir));
        assertThatThrownBy(() -> Cask.open(dir, options)).isInstanceOf(CorruptionException.class)
                .hasMessageContaining("offset " + second)
                .hasMessageContaining("1 valid record(s) follow")
                .hasMessageContaining("cask check --repair");
        assertThat(Files.readAllBytes(TestFiles.newestSegment(dir))).isEqualTo(before); // nothing was cut
        CheckReport found = Verifier.check(dir, options, false);
        assertThat(found.problems()).hasSize(1);
        assertThat(found.problems().getFirst().offset()).isEqualTo(second);
        assertThat(Verifier.check(dir, options, true).repairs()).hasSize(1);
        try (Cask cask = Cask.open(dir, options)) {
            assertThat(s(cask.get(b("k")))).isEqualTo("new");
            assertThat(cask.get(b("a"))).isNull(); // the damaged record, cut out (a copy is in lost+found)
        }
    }

    @Test
    void pointInTimeCutsAtTheDamageAsStated() throws Exception {
        writeThreeAndDamageTheMiddle();
        try (Cask cask = Cask.open(dir, options.withRecoveryMode(RecoveryMode.POINT_IN_TIME))) {
            assertThat(s(cask.get(b("k")))).isEqualTo("old"); // what this mode promises: the log as it was before the damage
            assertThat(cask.recoveryReport().droppedRecords()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void skipDamagedKeepsWhatFollows() throws Exception {
        writeThreeAndDamageTheMiddle();
        for (int i = 0; i < 2; i++) { // the file is not changed: every open skips the same bytes again
            try (Cask cask = Cask.open(dir, options.withRecoveryMode(RecoveryMode.SKIP_DAMAGED))) {
                assertThat(s(cask.get(b("k")))).isEqualTo("new");
                assertThat(cask.get(b("a"))).isNull();
                assertThat(cask.recoveryReport().messages()).anyMatch(m -> m.contains("skipped"));
            }
        }
    }

    @Test
    void aDamagedLengthFieldIsFoundByResynchronising() throws Exception {
        try (Cask cask = Cask.open(dir, options)) {
            for (int i = 0; i < 50; i++) cask.put(b("key" + i), b("value-" + i));
        }
        long record = RecordCodec.current().putSize(4, 7, 0);
        TestFiles.flipByte(TestFiles.newestSegment(dir), FileHeader.SIZE + record * 3 + TestFiles.HEADER - 1); // the 4th record's valueSize, the header's last byte: its length is now wrong
        assertThatThrownBy(() -> Cask.open(dir, options)).isInstanceOf(CorruptionException.class).hasMessageContaining("valid record(s) follow");
        Verifier.check(dir, options, true);
        try (Cask cask = Cask.open(dir, options)) {
            int readable = 0;
            for (int i = 0; i < 50; i++) if (cask.get(b("key" + i)) != null) readable++;
            assertThat(readable).isGreaterThanOrEqualTo(48);
        }
    }

    @Test
    void aTornTailIsStillCutWithoutAWord() throws Exception {
        try (Cask cask = Cask.open(dir, options)) {
            cask.put(b("k"), b("v"));
            cask.put(b("k2"), b("v2"));
        }
        Path seg = TestFiles.newestSegment(dir);
        TestFiles.truncate(seg, Files.size(seg) - 3);
        try (Cask cask = Cask.open(dir, options)) {
            assertThat(s(cask.get(b("k")))).isEqualTo("v");
            assertThat(cask.get(b("k2"))).isNull();
        }
    }

    @Test
    void zerosWhereAWriteWasNeverWrittenBackThenRecordsAreATornTailNotDamage() throws Exception {
        try (Cask cask = Cask.open(dir, options)) {
            cask.put(b("k"), b("old"));
            cask.put(b("a"), b("1"));
            cask.put(b("k"), b("new"));
        }
        long second = (long) FileHeader.SIZE + RecordCodec.current().putSize(1, 3, 0);
        try (RandomAccessFile f = new RandomAccessFile(TestFiles.newestSegment(dir).toFile(), "rw")) {
            f.seek(second);
            f.write(new byte[RecordCodec.current().putSize(1, 1, 0)]); // what a power cut leaves when a later page reached the disk and this one did not
        }
        try (Cask cask = Cask.open(dir, options)) {
            assertThat(s(cask.get(b("k")))).isEqualTo("old"); // nothing after the gap was ever forced: a prefix of the log
            assertThat(cask.recoveryReport().messages()).anyMatch(m -> m.contains("never wrote back"));
        }
    }

    /** Child: repairs the database given, then prints how long it took. */
    public static final class Repairer {
        public static void main(String[] args) {
            long start = System.nanoTime();
            CheckReport report = Verifier.check(Path.of(args[0]), CaskOptions.defaults(), true);
            System.out.println("repaired " + report.repairs().size() + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        }
    }

    /**
     * Failed on the code before the durability issue (the crash lab's sector-torn power cuts found
     * it under the default policy): a page written back torn, one sector of it never reaching the
     * disk (zeros: the file was a hole there) and a later one reaching it, left bytes that do not
     * parse followed by valid records, and open refused the database as damaged.
     */
    private Path fortyRecordsInOneSegment() throws IOException {
        try (Cask cask = Cask.open(dir, options)) {
            for (int i = 0; i < 40; i++) cask.put(b("key" + i), b("value-" + "x".repeat(20) + i));
        }
        return TestFiles.newestSegment(dir);
    }

    @Test
    void aSectorNeverWrittenBackInsideAPageIsATornTailNotDamage() throws Exception {
        Path segment = fortyRecordsInOneSegment();
        long size = Files.size(segment);
        assertThat(size).isGreaterThan(1536);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek(1024);
            f.write(new byte[512]); // sector [1024, 1536): records straddle both its edges
        }
        try (Cask cask = Cask.open(dir, options)) {
            assertThat(s(cask.get(b("key0")))).startsWith("value-");
            assertThat(cask.get(b("key39"))).isNull(); // after the torn sector: cut with the tail (a copy is kept)
            assertThat(cask.recoveryReport().messages()).anyMatch(m -> m.contains("torn"));
        }
        assertThat(dir.resolve("lost+found")).isNotEmptyDirectory();
    }

    @Test
    void damageWithoutASectorOfZerosIsStillRefused() throws Exception {
        Path segment = fortyRecordsInOneSegment();
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek(1024);
            byte[] noise = new byte[512];
            new Random(3).nextBytes(noise);
            f.write(noise);
        }
        assertThatThrownBy(() -> Cask.open(dir, options)).isInstanceOf(CorruptionException.class).hasMessageContaining("not a torn write");
    }

    /**
     * Failed on the code before the hardening issue: repair resynchronised by trying every byte
     * offset and read each candidate record whole (up to 1 GiB per try), so a 256 MiB segment of
     * random 1 MiB values damaged at offset 5 ran for minutes or out of memory.
     */
    @Test
    void repairOfALargeSegmentIsFastInBoundedMemory() throws Exception {
        Random random = new Random(42);
        byte[] value = new byte[1 << 20];
        try (Cask cask = Cask.open(dir, options.withMaxFileSize(512L << 20))) {
            for (int i = 0; i < 256; i++) {
                random.nextBytes(value);
                cask.put(b("big" + i), value);
            }
        }
        TestFiles.flipByte(TestFiles.newestSegment(dir), FileHeader.SIZE + 5);
        Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx96m", "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), Repairer.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        boolean done = child.waitFor(120, TimeUnit.SECONDS);
        if (!done) child.destroyForcibly();
        String out = new BufferedReader(new InputStreamReader(child.getInputStream())).lines().reduce("", (x, y) -> x + y + "\n");
        assertThat(done).as("repair finished within 120 s: " + out).isTrue();
        assertThat(child.exitValue()).as(out).isZero();
        assertThat(out).contains("repaired 1 in");
        try (Cask cask = Cask.open(dir, options.withMaxFileSize(512L << 20))) {
            assertThat(cask.get(b("big0"))).isNull();
            assertThat(cask.get(b("big255"))).hasSize(1 << 20);
        }
    }
}

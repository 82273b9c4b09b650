package dev.cask.core;

import static dev.cask.core.TestFiles.b;
import static dev.cask.core.TestFiles.s;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cask.core.io.DataFile;
import dev.cask.core.io.FileLayer;
import dev.cask.core.io.ForwardingDataFile;
import dev.cask.core.io.ForwardingFileLayer;
import dev.cask.core.io.OpenMode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The active segment's file is grown ahead of the writer (reserved blocks) and read in by the warmer; the
 * grown part never outlives the segment: it is cut at rotation and close, and after a crash
 * recovery cuts it without calling it damage.
 */
class PreparedTailTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void anOpenSegmentIsGrownAheadWithAHoleAndCutBackAtClose() throws Exception {
        long end;
        try (Cask cask = Cask.open(dir)) {
            for (int i = 0; i < 100; i++) cask.put(b("key-" + i), new byte[1000]);
            end = FileHeader.SIZE;
            for (int i = 0; i < 100; i++) end += RecordCodec.current().putSize(("key-" + i).length(), 1000, 0);
            Path active = TestFiles.newestSegment(dir);
            assertThat(Files.size(active)).as("grown ahead of the records").isGreaterThanOrEqualTo(end + 4 * MIB);
            byte[] all = Files.readAllBytes(active);
            for (long i = end; i < all.length; i++) assertThat(all[(int) i]).as("byte %d of the grown part", i).isZero();
            // the test runner grants native access: the grown part is reserved with fallocate, not a hole, so that a store
            // through the write mapping can never meet a full disk (a SIGBUS); without native access it is a hole
            assertThat(allocatedBytes(active)).as("the grown part has real disk blocks").isGreaterThanOrEqualTo(end + 4 * MIB);
        }
        assertThat(Files.size(TestFiles.newestSegment(dir))).as("cut back to the records at close").isEqualTo(end);
        try (Cask cask = Cask.open(dir)) {
            assertThat(cask.recoveryReport().messages()).noneMatch(m -> m.contains("zeros"));
            assertThat(cask.keys()).hasSize(100);
        }
    }

    /**
     * The mapped tail covers what lies ahead of the writer, not the whole segment: windows it has
     * passed are unmapped, whether it wrote them by copies or by pwrite (large batches). Before,
     * a segment kept every window mapped until it was sealed (2 GiB for a full default segment).
     */
    @Test
    void onlyTheTailAheadOfTheWriterStaysMapped() throws Exception {
        try (Cask cask = Cask.open(dir)) {
            byte[] value = new byte[100];
            for (int i = 0; i < 150_000; i++) cask.put(b("key-" + i), value); // about 20 MiB by copies
            for (int i = 0; i < 100; i++) {
                WriteBatch batch = new WriteBatch();
                for (int j = 0; j < 1000; j++) batch.put(b("batch-" + i + "-" + j), value); // about 14 MiB by pwrite
                cask.write(batch);
            }
            Path active = TestFiles.newestSegment(dir);
            long mapped = 0;
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                if (!line.contains(" rw-s ") || !line.endsWith(active.toString())) continue;
                String[] range = line.substring(0, line.indexOf(' ')).split("-");
                mapped += Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16);
            }
            assertThat(mapped).as("bytes of %s mapped for writes", active).isPositive().isLessThanOrEqualTo(2 * CaskOptions.DEFAULT_PREPARE_AHEAD + MIB);
        }
    }

    @Test
    void sealedSegmentsEndAtTheirLastRecordAndOpenFromTheirHints() throws Exception {
        CaskOptions options = CaskOptions.defaults().withMaxFileSize(2 * MIB);
        try (Cask cask = Cask.open(dir, options)) {
            for (int i = 0; i < 8000; i++) cask.put(b("key-" + i), new byte[1000]);
            List<Path> segments = TestFiles.segments(dir);
            assertThat(segments).hasSizeGreaterThan(3);
            for (Path sealed : segments.subList(0, segments.size() - 1)) {
                assertThat(Files.size(sealed)).as("%s ends within the limit", sealed).isLessThanOrEqualTo(2 * MIB);
                try (DataFile file = FileLayer.real().open(sealed, OpenMode.READ)) {
                    SegmentScanner scan = new SegmentScanner(file, file.size(), FileHeader.SIZE, RecordCodec.current());
                    while (scan.next()) {
                        // every record, up to the end
                    }
                    assertThat(scan.stop()).as("%s ends at its last record, with no zeros after it", sealed).isEqualTo(SegmentScanner.Stop.CLEAN_END);
                }
            }
        }
        try (Cask cask = Cask.open(dir, options)) {
            assertThat(cask.recoveryReport().hintsUsed()).as("every segment, the active one too after a clean close")
                    .isEqualTo(TestFiles.segments(dir).size());
            assertThat(cask.recoveryReport().messages()).noneMatch(m -> m.contains("zeros"));
            assertThat(cask.keys()).hasSize(8000);
        }
        assertThat(Verifier.check(dir, options, false).problems()).isEmpty();
    }

    /**
     * warmTail off (what {@code cask serve} uses): no warmer thread, and the grown part ahead of
     * the writer stays out of the page cache, while the file is still grown and reserved ahead; on
     * (the default), the thread runs and the grown part is read in.
     */
    @Test
    void theGrownPartIsReadInOnlyWhenWarmTailIsOn() throws Exception {
        for (boolean warm : new boolean[] {true, false}) {
            Path db = Files.createDirectories(dir.resolve("warm-" + warm));
            String thread = "cask-warmer " + db.getFileName();
            try (Cask cask = Cask.open(db, CaskOptions.defaults().withWarmTail(warm))) {
                for (int i = 0; i < 100; i++) cask.put(b("key-" + i), new byte[1000]);
                Path active = TestFiles.newestSegment(db);
                long size = Files.size(active);
                assertThat(size).as("grown ahead, warm or not").isGreaterThanOrEqualTo(4 * MIB);
                assertThat(Thread.getAllStackTraces().keySet()).as("threads, warmTail %s", warm)
                        .map(Thread::getName).filteredOn(thread::equals).hasSize(warm ? 1 : 0);
                boolean resident;
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(active)) {
                    var lastMib = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, size - MIB, MIB); // far past the records
                    // on: wait (up to 10 s) for the warmer; off: give anything that might read it half a second first
                    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(warm ? 10_000 : 500);
                    resident = lastMib.isLoaded();
                    while (!resident && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                        resident = lastMib.isLoaded();
                    }
                }
                assertThat(resident).as("the last MiB of the grown part is in the page cache, warmTail %s", warm).isEqualTo(warm);
                cask.put(b("after"), b("check"));
            }
            try (Cask cask = Cask.open(db, CaskOptions.defaults().withWarmTail(warm))) {
                assertThat(cask.keys()).hasSize(101);
                assertThat(s(cask.get(b("after")))).isEqualTo("check");
            }
        }
    }

    @Test
    void theWarmerReadsTheGrownPartWindowByWindowEachBackToFront() throws Exception {
        List<long[]> reads = new ArrayList<>(); // {position, length}
        FileLayer recording = new ForwardingFileLayer(FileLayer.real()) {
            @Override
            public DataFile open(Path path, OpenMode mode) throws IOException {
                DataFile file = super.open(path, mode);
                if (!mode.writable()) return file;
                return new ForwardingDataFile(file) {
                    @Override
                    public int read(ByteBuffer dst, long position) throws IOException {
                        synchronized (reads) {
                            reads.add(new long[] {position, dst.remaining()});
                        }
                        return super.read(dst, position);
                    }
                };
            }
        };
        try (Cask cask = Cask.open(dir, CaskOptions.defaults().withFileLayer(recording))) {
            cask.put(b("first"), b("v"));
            long first = RecordCodec.current().putSize(5, 1, 0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (covered(reads) < 8 * MIB - TailWarmer.STEP && System.nanoTime() < deadline) Thread.sleep(5);
            List<long[]> seen;
            synchronized (reads) {
                seen = List.copyOf(reads);
            }
            assertThat(covered(seen)).as("bytes read in: all that was grown but the step next to the writer (at 0 or past the record)")
                    .isBetween(8 * MIB - TailWarmer.STEP, 8 * MIB - TailWarmer.STEP + first);
            for (long[] r : seen) {
                assertThat(r[1]).isLessThanOrEqualTo(TailWarmer.STEP);
                // the step next to the writer is skipped; the writer was at 0 or past the record when the warmer looked
                assertThat(r[0]).isGreaterThanOrEqualTo(TailWarmer.STEP);
            }
            for (int i = 1; i < seen.size(); i++) {
                long window = seen.get(i)[0] / TailWarmer.WINDOW;
                long previousWindow = seen.get(i - 1)[0] / TailWarmer.WINDOW;
                if (window == previousWindow) {
                    assertThat(seen.get(i)[0] + seen.get(i)[1]).as("read %d goes backwards inside its window", i).isEqualTo(seen.get(i - 1)[0]);
                } else {
                    assertThat(window).as("read %d moves to the next window", i).isGreaterThan(previousWindow);
                }
            }
        }
    }

    /** Bytes covered by the reads, which never overlap. */
    private static long covered(List<long[]> reads) {
        synchronized (reads) {
            return reads.stream().mapToLong(r -> r[1]).sum();
        }
    }

    /** Child: puts key-N (a 1000-byte value) forever with sync always, printing N once put returned. */
    public static final class Writer {
        public static void main(String[] args) throws Exception {
            try (Cask cask = Cask.open(Path.of(args[0]), CaskOptions.defaults().withSyncPolicy(SyncPolicy.always()))) {
                byte[] value = new byte[1000];
                for (int n = 0; ; n++) {
                    java.util.Arrays.fill(value, (byte) n);
                    cask.put(b("key-" + n), value);
                    System.out.println(n);
                    System.out.flush();
                }
            }
        }
    }

    @Test
    void afterSigkillTheZerosAreCutAsNoDataAndEveryAcknowledgedPutIsThere() throws Exception {
        Process child = ChildJvm.start(Writer.class, dir.toString());
        BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream()));
        int acked = -1;
        String line;
        while (acked < 300 && (line = lines.readLine()) != null) acked = Integer.parseInt(line.trim());
        child.toHandle().destroyForcibly(); // SIGKILL
        child.waitFor(10, TimeUnit.SECONDS);
        while ((line = lines.readLine()) != null) acked = Integer.parseInt(line.trim());
        assertThat(acked).isGreaterThanOrEqualTo(300);

        Path segment = TestFiles.newestSegment(dir);
        assertThat(Files.size(segment)).as("the grown part is still on disk after the kill").isGreaterThan(4 * MIB);
        long killedSize = Files.size(segment);
        assertThat(Verifier.check(dir, CaskOptions.defaults(), false).problems()).as("zeros past the newest segment's records are not damage").isEmpty();
        assertThat(Files.size(segment)).as("check changes nothing").isEqualTo(killedSize);
        try (Cask cask = Cask.open(dir)) {
            RecoveryReport report = cask.recoveryReport();
            assertThat(report.droppedBytes()).isZero();
            assertThat(report.droppedRecords()).isZero();
            assertThat(report.messages()).anyMatch(m -> m.contains("of zeros past the last record of " + segment.getFileName()));
            for (int n = 0; n <= acked; n++) {
                byte[] value = cask.get(b("key-" + n));
                assertThat(value).as("acknowledged key-%d", n).hasSize(1000).containsOnly((byte) n);
            }
        }
        assertThat(Files.exists(dir.resolve(SegmentNames.LOST_AND_FOUND))).isFalse();
        try (Cask cask = Cask.open(dir)) {
            assertThat(cask.recoveryReport().messages()).as("cut once, for good").noneMatch(m -> m.contains("zeros"));
            assertThat(s(cask.get(b("key-0")))).isNotNull();
        }
    }

    /** Bytes of disk the file takes, from stat(1): the real allocation, which a hole does not add to. */
    private static long allocatedBytes(Path file) throws Exception {
        Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
        String[] out = new String(stat.getInputStream().readAllBytes()).trim().split(" ");
        assertThat(stat.waitFor()).isZero();
        return Long.parseLong(out[0]) * Long.parseLong(out[1]);
    }
}

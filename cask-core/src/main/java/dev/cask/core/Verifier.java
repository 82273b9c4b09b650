package dev.cask.core;

import dev.cask.core.io.DataFile;
import dev.cask.core.io.FileLayer;
import dev.cask.core.io.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code cask check}: verifies every record of every segment and then every keydir entry, without
 * changing anything; with repair, cuts each damaged range out of its segment (keeping a copy in
 * {@code lost+found}) by rewriting the segment and renaming it into place.
 */
public final class Verifier {
    private final Path dir;
    private final CaskOptions options;
    private final FileLayer files;
    private final List<CheckReport.Problem> problems = new ArrayList<>();
    private final List<String> repairs = new ArrayList<>();
    private final Progress progress;
    private long records;
    private long bytesDone;
    private long bytesTotal;

    private Verifier(Path dir, CaskOptions options, Progress progress) {
        this.dir = dir;
        this.options = options;
        this.files = new FailStopLayer(options.fileLayer(), dir); // a repair whose force failed renames and deletes nothing more
        this.progress = progress;
    }

    /** Checks (and with {@code repair}, repairs) the database in {@code dir}; it must not be open elsewhere. */
    public static CheckReport check(Path dir, CaskOptions options, boolean repair) {
        return check(dir, options, repair, Progress.NONE);
    }

    /** As {@link #check(Path, CaskOptions, boolean)}, telling {@code progress} how many segment bytes were scanned. */
    public static CheckReport check(Path dir, CaskOptions options, boolean repair, Progress progress) {
        return new Verifier(dir, options, progress).run(repair);
    }

    private CheckReport run(boolean repair) {
        List<Integer> ids = new ArrayList<>();
        long verified = 0;
        try (DirectoryLock lock = DirectoryLock.acquire(dir)) {
            for (String name : files.list(dir)) {
                int id = SegmentNames.dataId(name);
                if (id > 0) ids.add(id);
            }
            for (int id : ids) {
                try (DataFile file = files.open(dir.resolve(SegmentNames.dataName(id)), OpenMode.READ)) {
                    bytesTotal += file.size();
                }
            }
            for (int id : ids) {
                Path path = dir.resolve(SegmentNames.dataName(id));
                List<long[]> damaged = scan(path, id == ids.getLast());
                if (repair && !damaged.isEmpty()) rewriteWithout(path, damaged);
            }
            if (problems.isEmpty() || repair) verified = verifyKeys();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new StorageException("check of " + dir + " failed: " + e, e);
        }
        return new CheckReport(ids.size(), records, verified, List.copyOf(problems), List.copyOf(repairs));
    }

    /**
     * Scans one segment and returns its damaged ranges as {start, end} pairs. Zeros to the end of
     * the newest segment are not damage: its writer grows the file ahead of itself.
     */
    private List<long[]> scan(Path path, boolean newest) throws IOException {
        List<long[]> damaged = new ArrayList<>();
        try (DataFile file = files.open(path, OpenMode.READ)) {
            long size = file.size();
            FileHeader.Read header = FileHeader.read(file, size, FileHeader.Kind.DATA, path);
            RecordCodec layout = RecordCodec.forVersion(header.version());
            long start = header.firstRecord();
            while (start < size) {
                SegmentScanner scan = new SegmentScanner(file, size, start, layout);
                long batchStart = -1;
                int batchCount = 0;
                String reason = null;
                while (scan.next()) {
                    ByteBuffer buf = scan.buffer();
                    int at = scan.at();
                    if ((++records & 0xfff) == 0) progress.update(bytesDone + scan.offset(), bytesTotal);
                    if (layout.isBatchBegin(buf, at)) {
                        if (batchStart >= 0) {
                            reason = "a batch with no commit record";
                            break;
                        }
                        batchStart = scan.offset();
                        batchCount = 0;
                    } else if (layout.isBatchCommit(buf, at)) {
                        if (batchStart < 0 || layout.batchCount(buf, at) != batchCount) {
                            if (batchStart < 0) batchStart = scan.offset();
                            reason = "a batch commit record that matches no batch";
                            scan.next(); // the bad commit itself is part of the damage
                            break;
                        }
                        batchStart = -1;
                    } else if (batchStart >= 0) {
                        batchCount++;
                    }
                }
                if (reason != null) {
                    long end = scan.offset();
                    record(path, batchStart, end, reason, damaged);
                    start = end;
                    continue;
                }
                boolean zeros = scan.stop() == SegmentScanner.Stop.ZEROS;
                if (scan.stop() == SegmentScanner.Stop.CLEAN_END || (zeros && newest)) {
                    if (batchStart >= 0) record(path, batchStart, scan.offset(), "a batch with no commit record", damaged);
                    break;
                }
                long bad = batchStart >= 0 ? batchStart : scan.offset();
                long next = zeros ? -1 : SegmentScanner.resync(file, size, scan.offset() + 1, scan.claimedNext(), layout);
                if (next < 0) {
                    next = size;
                } else if (newest && SegmentScanner.allZeros(file, scan.offset(), next)) {
                    // writes never written back before a power cut: open cuts the log here, and so does repair
                    record(path, bad, size, "zeros where records should be, then records: a torn tail of unforced writes", damaged);
                    break;
                }
                record(path, bad, next, zeros ? "zeros where records should be (a closed segment)"
                        : scan.stop() == SegmentScanner.Stop.INCOMPLETE ? "an incomplete record" : "a bad header or CRC", damaged);
                start = next;
            }
            bytesDone += size;
            progress.update(bytesDone, bytesTotal);
        }
        return damaged;
    }

    private void record(Path path, long from, long to, String reason, List<long[]> damaged) {
        problems.add(new CheckReport.Problem(path.getFileName().toString(), from, to - from, reason));
        damaged.add(new long[] {from, to});
    }

    private void rewriteWithout(Path path, List<long[]> damaged) throws IOException {
        Path temp = path.resolveSibling(path.getFileName() + SegmentNames.TEMP_SUFFIX);
        try (DataFile source = files.open(path, OpenMode.READ); DataFile target = files.open(temp, OpenMode.WRITE)) {
            target.truncate(0);
            long size = source.size();
            long written = 0;
            long from = 0;
            for (long[] range : damaged) {
                written += copy(source, from, range[0], target, written);
                Path copy = TailCopies.keep(files, dir, path, source, range[0], range[1]);
                repairs.add("cut " + (range[1] - range[0]) + " byte(s) at offset " + range[0] + " of " + path.getFileName() + "; a copy is in " + copy);
                from = range[1];
            }
            copy(source, from, size, target, written);
            target.force(true);
        }
        // the old hint goes first, durably: its positions describe the file about to be replaced, and a crash between
        // the two steps must never leave the rewritten data beside it (open also refuses a hint whose trailer names another size)
        Path hint = dir.resolve(SegmentNames.hintName(SegmentNames.dataId(path.getFileName().toString())));
        if (LabDefects.on(LabDefects.Defect.HINT_APPLIED_BEFORE_ITS_CHECK)) {
            files.rename(temp, path);
            files.delete(hint);
            files.syncDirectory(dir);
            return;
        }
        files.delete(hint);
        files.syncDirectory(dir);
        files.rename(temp, path);
        files.syncDirectory(dir);
    }

    private static long copy(DataFile source, long from, long to, DataFile target, long at) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        long done = 0;
        while (from + done < to) {
            buf.clear().limit((int) Math.min(buf.capacity(), to - from - done));
            int n = source.read(buf, from + done);
            if (n <= 0) break;
            buf.flip();
            target.write(buf, at + done);
            done += n;
        }
        return done;
    }

    /**
     * Loads the keydir as open would (from the hints where they are valid), but without changing
     * any file, and reads back every live key's record, which checks its CRC and key.
     */
    private long verifyKeys() throws IOException {
        Index index = new Index();
        try {
            Recovery.inspect(dir, files, index, options.useHints(), options.recoveryMode());
            long now = options.clock().millis();
            long[] count = {0};
            index.keyDir.forEach((key, entry) -> {
                if (entry.expiredAt(now)) return;
                try {
                    index.segment(entry.segmentId()).checkedRecord(key, entry);
                    count[0]++;
                } catch (CorruptionException e) {
                    problems.add(new CheckReport.Problem(e.file().getFileName().toString(), e.offset(), 0, "keydir entry: " + e.getMessage()));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            return count[0];
        } finally {
            for (Segment s : index.segments()) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // read-only: nothing to lose
                }
            }
        }
    }
}

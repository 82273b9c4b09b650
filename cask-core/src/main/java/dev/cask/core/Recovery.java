package dev.cask.core;

import dev.cask.core.io.DataFile;
import dev.cask.core.io.FileLayer;
import dev.cask.core.io.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Rebuilds the index at open, segment by segment, oldest first: from a sealed segment's hint file
 * when it is present and valid, else by scanning the data file.
 *
 * <p>In the newest (active) segment, zeros from some offset to the end are space the writer had
 * grown the file by and not reached: they are cut, and nothing is lost. Otherwise the first
 * record whose header, length or CRC is bad starts a torn tail: the tail, and any batch whose
 * commit record it cut off, are copied to {@code lost+found} and truncated, and the report says
 * how much was dropped. In a closed segment a bad record is not a torn write (closed segments
 * were forced before the next one was created), so the open is refused and points to
 * {@code cask check --repair}: skipping the record could silently serve an older value of its
 * key.
 */
final class Recovery {
    private final Path dir;
    private final FileLayer files;
    private final Index index;
    private final OpenMode activeMode;
    private final boolean useHints;
    private final RecoveryMode recoveryMode;
    /** Inspect only (for {@code cask check}): change no file, and cut tails in memory alone. */
    private final boolean readOnly;
    private final Index.BulkLoad bulk;
    private final List<String> messages = new ArrayList<>();
    private final List<Integer> missingHints = new ArrayList<>();
    private long records;
    private long droppedBytes;
    private int droppedRecords;
    private int hintsUsed;
    private Progress progress = Progress.NONE;
    /** Bytes of data segments to load, and of those loaded so far, for the progress. */
    private long totalBytes;
    private long loadedBytes;

    private Recovery(Path dir, FileLayer files, Index index, OpenMode activeMode, boolean useHints, RecoveryMode recoveryMode, boolean readOnly) {
        this.dir = dir;
        this.recoveryMode = recoveryMode;
        this.files = files;
        this.index = index;
        this.activeMode = activeMode;
        this.useHints = useHints;
        this.readOnly = readOnly;
        this.bulk = index.new BulkLoad();
    }

    /** What recovery produced: the report, and the sealed segments that have no valid hint yet. */
    record Result(RecoveryReport report, List<Integer> segmentsWithoutHint) {}

    /** Loads every segment of {@code dir} into {@code index}, creating the first segment of a new database. */
    static Result run(Path dir, FileLayer files, Index index, OpenMode activeMode, long stalePid, boolean useHints, RecoveryMode recoveryMode,
                      Progress progress) throws IOException {
        Recovery recovery = new Recovery(dir, files, index, activeMode, useHints, recoveryMode, false);
        recovery.progress = progress;
        RecoveryReport report = recovery.load(stalePid);
        return new Result(report, List.copyOf(recovery.missingHints));
    }

    /**
     * Loads {@code dir} into {@code index} as {@link #run} would, but changes nothing on disk: no
     * file is deleted, created, cut or copied, and every segment is opened read-only. A torn tail
     * or zeros past the newest segment's records are left out of the index, not cut.
     */
    static RecoveryReport inspect(Path dir, FileLayer files, Index index, boolean useHints, RecoveryMode recoveryMode) throws IOException {
        return new Recovery(dir, files, index, OpenMode.READ, useHints, recoveryMode, true).load(-1);
    }

    private RecoveryReport load(long stalePid) throws IOException {
        List<Integer> ids = new ArrayList<>();
        Set<Integer> hints = new HashSet<>();
        List<String> foreign = new ArrayList<>();
        List<String> temps = new ArrayList<>();
        for (String name : files.list(dir)) {
            int id = SegmentNames.dataId(name);
            if (id > 0) ids.add(id);
            else if (SegmentNames.hintId(name) > 0) hints.add(SegmentNames.hintId(name));
            else if (SegmentNames.isTemp(name)) temps.add(name);
            else if (!name.equals(SegmentNames.LOCK_FILE)) foreign.add(name);
        }
        if (stalePid > 0 && stalePid != ProcessHandle.current().pid()) {
            messages.add("took over a stale lock left by pid " + stalePid + ", which no longer holds it");
        }
        if (!foreign.isEmpty()) messages.add("left alone " + foreign.size() + " file(s) Cask does not own: " + String.join(", ", foreign));
        if (ids.isEmpty() && !readOnly) {
            Path path = dir.resolve(SegmentNames.dataName(1));
            DataFile file = files.open(path, activeMode);
            Segment segment = Segment.active(1, path, files, file, 0, new FileHeader.Read(FileHeader.LEGACY_VERSION, 0));
            index.addSegment(segment);
            writeHeader(segment, file);
        }
        index.keyDir.ensureCapacity(estimateKeys(ids, hints));
        if (progress != Progress.NONE) {
            for (int id : ids) {
                try (DataFile file = files.open(dir.resolve(SegmentNames.dataName(id)), OpenMode.READ)) {
                    totalBytes += file.size();
                }
            }
        }
        for (int i = 0; i < ids.size(); i++) {
            int id = ids.get(i);
            boolean active = i == ids.size() - 1;
            if (active) loadActive(id, hints.contains(id));
            else loadSealed(id, hints.contains(id));
            loadedBytes = Math.min(totalBytes, loadedBytes + index.segment(id).size);
            progress.update(loadedBytes, totalBytes);
        }
        // after the load: a file of a format version this code does not read refused it before any file was changed
        if (!readOnly) deleteLeftovers(temps, hints, ids);
        bulk.flush();
        index.keyDir.trim();
        return new RecoveryReport(ids.size(), records, droppedBytes, droppedRecords, List.copyOf(foreign), stalePid, List.copyOf(messages), hintsUsed);
    }

    /**
     * Gives an active segment that holds nothing its header: a new database's first segment, a
     * version-0 segment that was empty, or one whose header a crash kept from the disk (its zeros
     * were cut). Forced, then the directory, as every new file.
     */
    private void writeHeader(Segment segment, DataFile file) throws IOException {
        file.truncate(0);
        FileHeader.Read header = FileHeader.write(file, FileHeader.Kind.DATA);
        segment.size = header.firstRecord();
        segment.firstRecord = header.firstRecord();
        segment.codec = RecordCodec.forVersion(header.version());
        segment.preparedEnd = segment.size;
        file.force(true);
        files.syncDirectory(dir);
    }

    /** Deletes what an interrupted hint write or merge left: temp files, and hints whose data segment is gone. */
    private void deleteLeftovers(List<String> temps, Set<Integer> hints, List<Integer> ids) throws IOException {
        for (String temp : temps) {
            files.delete(dir.resolve(temp));
            messages.add("deleted " + temp + ", an uncommitted file of an interrupted hint write or merge");
        }
        for (int hint : hints) {
            if (!ids.contains(hint)) {
                files.delete(dir.resolve(SegmentNames.hintName(hint)));
                messages.add("deleted " + SegmentNames.hintName(hint) + ", whose data segment is gone (an interrupted merge)");
            }
        }
        if (!temps.isEmpty() || hints.stream().anyMatch(h -> !ids.contains(h))) files.syncDirectory(dir);
    }

    /**
     * An estimate of the keys to load, to size the keydir once: hint trailers count their entries
     * exactly; a segment without a hint is guessed at one key per 64 bytes, but that guess is capped
     * at what an eighth of the heap holds (a few huge values would otherwise size a table the heap
     * cannot hold). Past the estimate the table grows as keys arrive. Growing step by step from
     * nothing would rehash every key about five times.
     */
    private long estimateKeys(List<Integer> ids, Set<Integer> hints) throws IOException {
        long counted = 0;
        long guessed = 0;
        for (int id : ids) {
            long exact = useHints && hints.contains(id) ? HintFiles.trailerCount(files, dir.resolve(SegmentNames.hintName(id))) : -1;
            if (exact >= 0) {
                counted += exact;
            } else {
                try (DataFile file = files.open(dir.resolve(SegmentNames.dataName(id)), OpenMode.READ)) {
                    guessed += file.size() / 64;
                }
            }
        }
        long affordable = Runtime.getRuntime().maxMemory() / 8 / KeyDir.BYTES_PER_SLOT_AT_TARGET_LOAD;
        return Math.min(counted + Math.min(guessed, affordable), 1L << 30);
    }

    private void loadSealed(int id, boolean hasHint) throws IOException {
        Path path = dir.resolve(SegmentNames.dataName(id));
        long size;
        try (DataFile file = files.open(path, OpenMode.READ)) {
            size = file.size();
            FileHeader.Read header = FileHeader.read(file, size, FileHeader.Kind.DATA, path);
            Segment segment = Segment.sealed(id, path, files, size, header);
            index.addSegment(segment);
            if (hasHint && useHints) {
                String invalid = HintFiles.load(files, dir.resolve(SegmentNames.hintName(id)), segment, bulk);
                if (invalid == null) {
                    hintsUsed++;
                    return;
                }
                messages.add("hint file " + SegmentNames.hintName(id) + " is not valid (" + invalid + "); scanned " + path.getFileName() + " instead");
            }
            missingHints.add(id);
            scan(segment, file, false);
        }
    }

    /**
     * The newest segment: from the hint a clean close left for it when that hint still describes
     * the whole file (instant reopen), else by a scan. The hint is then deleted (durably) before
     * anything is appended, since it would describe only a prefix from then on.
     */
    private void loadActive(int id, boolean hasHint) throws IOException {
        Path path = dir.resolve(SegmentNames.dataName(id));
        DataFile file = files.open(path, activeMode);
        try {
            long size = file.size();
            FileHeader.Read header = FileHeader.read(file, size, FileHeader.Kind.DATA, path); // before anything of it changes
            Segment segment = Segment.active(id, path, files, file, size, header);
            index.addSegment(segment);
            Path hint = dir.resolve(SegmentNames.hintName(id));
            String invalid = hasHint && useHints ? HintFiles.load(files, hint, segment, bulk) : "not used";
            if (invalid == null) {
                hintsUsed++;
            } else {
                if (hasHint && useHints) messages.add("hint file " + hint.getFileName() + " of the newest segment is not valid (" + invalid + "); scanned it instead");
                scan(segment, file, true);
            }
            if (hasHint && !readOnly) {
                files.delete(hint);
                files.syncDirectory(dir);
            }
            // empty, or only the header of an older format: it gets the current header (a non-empty one is sealed at the first write)
            if (segment.size <= segment.firstRecord && segment.codec != RecordCodec.current() && !readOnly) writeHeader(segment, file);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private void scan(Segment segment, DataFile file, boolean active) throws IOException {
        long start = segment.firstRecord;
        while (true) {
            RecordCodec layout = segment.codec;
            SegmentScanner scan = new SegmentScanner(file, segment.size, start, layout);
            List<Pending> batch = null;
            long batchStart = -1;
            while (scan.next()) {
                ByteBuffer buf = scan.buffer();
                int at = scan.at();
                if ((++records & 0xFFF) == 0) progress.update(Math.min(totalBytes, loadedBytes + scan.offset()), totalBytes);
                if (layout.isBatchBegin(buf, at)) {
                    if (batch != null) break; // a begin inside a batch: the batch never committed
                    batch = new ArrayList<>();
                    batchStart = scan.offset();
                } else if (layout.isBatchCommit(buf, at)) {
                    if (batch == null || layout.batchCount(buf, at) != batch.size()) break;
                    for (Pending p : batch) apply(p, segment);
                    batch = null;
                } else {
                    Pending p = Pending.of(layout, buf, at, scan.offset(), scan.length());
                    if (batch != null) batch.add(p);
                    else apply(p, segment);
                }
            }
            SegmentScanner.Stop stop = scan.stop();
            if (stop == SegmentScanner.Stop.CLEAN_END && batch == null) return;
            boolean zeros = stop == SegmentScanner.Stop.ZEROS;
            if (zeros && batch == null && active) {
                trimZeros(segment, file, scan.offset());
                return;
            }
            long cut = batch != null ? batchStart : scan.offset();
            String why = batch != null ? "a batch of " + batch.size() + " record(s) with no commit record"
                    : zeros ? "zeros where records should be"
                    : stop == SegmentScanner.Stop.INCOMPLETE ? "an incomplete record" : "a record whose header or CRC is bad";
            // A torn write can only be the end of the log: look for valid records after the bad bytes.
            long next;
            if (stop == SegmentScanner.Stop.NONE) { // stopped at a valid record that breaks a batch: a begin starts anew, a stray commit is skipped
                next = layout.isBatchBegin(scan.buffer(), scan.at()) ? scan.offset() : scan.offset() + scan.length();
                if (next >= segment.size) next = -1;
            } else if (zeros || stop == SegmentScanner.Stop.CLEAN_END) {
                next = -1;
            } else {
                next = SegmentScanner.resync(file, segment.size, scan.offset() + 1, scan.claimedNext(), layout);
            }
            boolean unwrittenGap = next >= 0 && active && stop != SegmentScanner.Stop.NONE && SegmentScanner.allZeros(file, scan.offset(), next);
            boolean tornPage = next >= 0 && active && !unwrittenGap && stop != SegmentScanner.Stop.NONE
                    && SegmentScanner.hasUnwrittenSector(file, scan.offset(), next);
            int dropped = (batch == null ? 0 : batch.size() + 1) + 1;
            if (next < 0 || unwrittenGap || tornPage) {
                if (!active) throw closedDamage(segment, cut, why, 0);
                if (unwrittenGap) why = "zeros where records should be, then records: writes the kernel never wrote back before a power cut";
                if (tornPage) why = "a page torn at a power cut: a sector of zeros (never written back) among later bytes that were";
                truncateTail(segment, file, cut, zeros ? scan.offset() : segment.size, why, dropped); // zeros after a torn batch are not worth a copy
                return;
            }
            long following = SegmentScanner.countValid(file, segment.size, next, layout);
            switch (recoveryMode) {
                case TOLERATE_TORN_TAIL -> {
                    if (!active) throw closedDamage(segment, cut, why, following);
                    throw new CorruptionException("segment " + segment.path + " is damaged at offset " + cut + " (" + why + "), and "
                            + following + " valid record(s) follow from offset " + next + ", so this is damage, not a torn write;"
                            + " refusing to open rather than drop them. Run 'cask check --repair' to cut out only the damaged bytes"
                            + " (a copy is kept), or open with recovery mode point-in-time (drop everything from the damage on)"
                            + " or skip-damaged (skip the damaged bytes and keep what follows)", segment.path, cut);
                }
                case POINT_IN_TIME -> {
                    if (!active) throw closedDamage(segment, cut, why, following);
                    truncateTail(segment, file, cut, segment.size, why + "; " + following + " valid record(s) after it were dropped too"
                            + " (recovery mode point-in-time)", dropped + (int) Math.min(Integer.MAX_VALUE, following));
                    return;
                }
                case SKIP_DAMAGED -> {
                    droppedBytes += next - cut;
                    droppedRecords += dropped;
                    messages.add("skipped " + (next - cut) + " damaged byte(s) of " + segment.path.getFileName() + " at offset " + cut
                            + " (" + why + "), kept the " + following + " valid record(s) after them (recovery mode skip-damaged);"
                            + " 'cask check --repair' cuts them out for good");
                    start = next;
                }
            }
        }
    }

    private static CorruptionException closedDamage(Segment segment, long cut, String why, long following) {
        return new CorruptionException("segment " + segment.path + " is corrupt at offset " + cut + " (" + why
                + "), and it is a closed segment, so this is damage, not a torn write"
                + (following > 0 ? " (" + following + " valid record(s) follow it)" : "")
                + "; run 'cask check --repair' to cut out the bad record (a copy is kept)", segment.path, cut);
    }

    /**
     * Cuts the zeros past the active segment's last record: space the writer had grown the file by
     * and never reached before the crash. No data is lost, so no copy is kept. Not forced: after
     * another crash the same zeros are simply cut again.
     */
    private void trimZeros(Segment segment, DataFile file, long end) throws IOException {
        long bytes = segment.size - end;
        if (!readOnly) file.truncate(end);
        segment.size = end;
        segment.preparedEnd = end;
        messages.add((readOnly ? "found " : "cut ") + bytes + " byte(s) of zeros past the last record of " + segment.path.getFileName()
                + " (space grown ahead of the writer, never written; no data)" + (readOnly ? "; the next open cuts them" : ""));
    }

    private void truncateTail(Segment segment, DataFile file, long cut, long dataEnd, String why, int dropped) throws IOException {
        long bytes = dataEnd - cut;
        if (readOnly) {
            segment.size = cut;
            segment.preparedEnd = cut;
            droppedBytes += bytes;
            droppedRecords += dropped;
            messages.add("found a torn tail of " + bytes + " byte(s) in " + segment.path.getFileName() + " at offset " + cut
                    + " (" + why + "); the next open cuts it");
            return;
        }
        Path copy = TailCopies.keep(files, dir, segment.path, file, cut, dataEnd);
        file.truncate(cut);
        file.force(true);
        segment.size = cut;
        segment.preparedEnd = cut;
        droppedBytes += bytes;
        droppedRecords += dropped;
        messages.add("cut a torn tail of " + bytes + " byte(s) from " + segment.path.getFileName() + " at offset " + cut
                + " (" + why + "); a copy is in " + copy);
    }

    private void apply(Pending p, Segment segment) {
        if (p.tombstone) {
            bulk.delete(p.key);
        } else {
            KeyDirEntry entry = new KeyDirEntry(segment.id, p.valuePosition, p.valueSize, p.expiry);
            bulk.put(p.key, entry, segment, p.length);
        }
    }

    /** A put or delete read from disk, held until its batch (if any) commits. */
    private record Pending(byte[] key, boolean tombstone, int valueSize, long expiry, long valuePosition, int length) {
        static Pending of(RecordCodec layout, ByteBuffer buf, int at, long offset, int length) {
            boolean tombstone = layout.isTombstone(buf, at);
            return new Pending(layout.key(buf, at), tombstone, tombstone ? 0 : layout.valueSize(buf, at),
                    layout.expiry(buf, at), offset + layout.valueOffset(buf, at), length);
        }
    }
}

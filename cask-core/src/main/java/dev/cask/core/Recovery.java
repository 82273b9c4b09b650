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
 * Rebuilds the index at open by scanning every segment oldest first.
 *
 * <p>In the newest (active) segment, the first record whose header, length or CRC is bad starts
 * a torn tail: the tail, and any batch whose commit record it cut off, are copied to
 * {@code lost+found} and truncated, and the report says how much was dropped. In a closed
 * segment a bad record is not a torn write (closed segments were forced before the next one was
 * created), so the open is refused and points to {@code cask check --repair}: skipping the
 * record could silently serve an older value of its key.
 */
final class Recovery {
    private final Path dir;
    private final FileLayer files;
    private final Index index;
    private final OpenMode activeMode;
    private final List<String> messages = new ArrayList<>();
    private long records;
    private long droppedBytes;
    private int droppedRecords;

    private Recovery(Path dir, FileLayer files, Index index, OpenMode activeMode) {
        this.dir = dir;
        this.files = files;
        this.index = index;
        this.activeMode = activeMode;
    }

    /** Loads every segment of {@code dir} into {@code index}, creating the first segment of a new database. */
    static RecoveryReport run(Path dir, FileLayer files, Index index, OpenMode activeMode, long stalePid) throws IOException {
        return new Recovery(dir, files, index, activeMode).load(stalePid);
    }

    private RecoveryReport load(long stalePid) throws IOException {
        List<Integer> ids = new ArrayList<>();
        List<String> foreign = new ArrayList<>();
        for (String name : files.list(dir)) {
            int id = SegmentNames.dataId(name);
            if (id > 0) ids.add(id);
            else if (!name.equals(SegmentNames.LOCK_FILE)) foreign.add(name);
        }
        if (stalePid > 0 && stalePid != ProcessHandle.current().pid()) {
            messages.add("took over a stale lock left by pid " + stalePid + ", which no longer holds it");
        }
        if (!foreign.isEmpty()) messages.add("left alone " + foreign.size() + " file(s) Cask does not own: " + String.join(", ", foreign));
        if (ids.isEmpty()) {
            Path path = dir.resolve(SegmentNames.dataName(1));
            index.addSegment(new Segment(1, path, files.open(path, activeMode), 0));
            files.syncDirectory(dir);
        }
        for (int i = 0; i < ids.size(); i++) loadSegment(ids.get(i), i == ids.size() - 1);
        return new RecoveryReport(ids.size(), records, droppedBytes, droppedRecords, List.copyOf(foreign), stalePid, List.copyOf(messages));
    }

    private void loadSegment(int id, boolean active) throws IOException {
        Path path = dir.resolve(SegmentNames.dataName(id));
        DataFile file = files.open(path, active ? activeMode : OpenMode.READ);
        try {
            long fileSize = file.size();
            Segment segment = new Segment(id, path, file, fileSize);
            segment.sealed = !active;
            index.addSegment(segment);
            SegmentScanner scan = new SegmentScanner(file, fileSize);
            List<Pending> batch = null;
            long batchStart = -1;
            while (scan.next()) {
                ByteBuffer buf = scan.buffer();
                int at = scan.at();
                records++;
                if (RecordCodec.isBatchBegin(buf, at)) {
                    if (batch != null) break; // a begin inside a batch: the batch never committed
                    batch = new ArrayList<>();
                    batchStart = scan.offset();
                } else if (RecordCodec.isBatchCommit(buf, at)) {
                    if (batch == null || RecordCodec.batchCount(buf, at) != batch.size()) break;
                    for (Pending p : batch) apply(p, segment);
                    batch = null;
                } else {
                    Pending p = Pending.of(buf, at, scan.offset(), scan.length());
                    if (batch != null) batch.add(p);
                    else apply(p, segment);
                }
            }
            boolean clean = scan.stop() == SegmentScanner.Stop.CLEAN_END && batch == null;
            if (clean) return;
            long cut = batch != null ? batchStart : scan.offset();
            String why = batch != null ? "a batch of " + batch.size() + " record(s) with no commit record"
                    : scan.stop() == SegmentScanner.Stop.INCOMPLETE ? "an incomplete record" : "a record whose header or CRC is bad";
            if (!active) {
                throw new CorruptionException("segment " + path + " is corrupt at offset " + cut + " (" + why
                        + "), and it is a closed segment, so this is damage, not a torn write;"
                        + " run 'cask check --repair' to cut out the bad record (a copy is kept)", path, cut);
            }
            int dropped = (batch == null ? 0 : batch.size() + 1) + 1;
            truncateTail(segment, cut, why, dropped);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private void truncateTail(Segment segment, long cut, String why, int dropped) throws IOException {
        long bytes = segment.size - cut;
        Path copy = TailCopies.keep(files, dir, segment.path, segment.file, cut, segment.size);
        segment.file.truncate(cut);
        segment.file.force(true);
        segment.size = cut;
        droppedBytes += bytes;
        droppedRecords += dropped;
        messages.add("cut a torn tail of " + bytes + " byte(s) from " + segment.path.getFileName() + " at offset " + cut
                + " (" + why + "); a copy is in " + copy);
    }

    private void apply(Pending p, Segment segment) {
        if (p.value == null) {
            index.applyDelete(p.key);
        } else {
            KeyDirEntry entry = new KeyDirEntry(segment.id, p.offset + RecordCodec.HEADER_SIZE + p.key.length, p.valueSize, p.expiry);
            index.applyPut(p.key, entry, segment, p.length);
        }
    }

    /** A put or delete read from disk, held until its batch (if any) commits. */
    private record Pending(byte[] key, Object value, int valueSize, long timestamp, long expiry, long offset, int length) {
        static Pending of(ByteBuffer buf, int at, long offset, int length) {
            boolean tombstone = RecordCodec.isTombstone(buf, at);
            return new Pending(RecordCodec.key(buf, at), tombstone ? null : Boolean.TRUE,
                    tombstone ? 0 : RecordCodec.valueSize(buf, at), RecordCodec.timestamp(buf, at), RecordCodec.expiry(buf, at), offset, length);
        }
    }
}

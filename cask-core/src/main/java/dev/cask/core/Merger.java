package dev.cask.core;

import dev.cask.core.io.DataFile;
import dev.cask.core.io.FileLayer;
import dev.cask.core.io.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One merge: rewrites every sealed segment's live records into new segments with hint files,
 * switches the keydir to them, then deletes the old segments. Writers keep appending to the
 * active segment throughout; only the switch takes the write lock, in slices.
 *
 * <p>Crash safety, step by step (any crash leaves a directory that opens to the same data):
 * <ol>
 *   <li>the active segment is sealed and a new active segment is created with an id above a gap
 *       reserved for the outputs, so outputs sort after every input and before every later write;</li>
 *   <li>outputs and their hints are written as {@code .tmp} files and forced; open deletes
 *       {@code .tmp} files, so a crash here leaves the inputs alone in charge;</li>
 *   <li>outputs are renamed into place and the directory forced: from here outputs and inputs
 *       both exist, and since outputs hold copies of the newest versions, replaying inputs then
 *       outputs gives the same keydir;</li>
 *   <li>keydir entries that still point into an input are switched to the output copy;</li>
 *   <li>inputs are deleted oldest first, forcing the directory after each, so that what is left is
 *       always a suffix of the inputs: a tombstone is never deleted before the older puts it
 *       shadows (the resurrection of basho/bitcask#82).</li>
 * </ol>
 * Tombstones are dropped because every segment older than the new active one is an input: after
 * step 5 no segment is left that could hold an older version of a deleted key.
 */
final class Merger {
    /**
     * Keys switched per hold of the write lock. Each slice's keydir slots are read first without
     * the lock, so the hold is about a microsecond, and a writer spinning for the lock gets it in
     * the gap while the next slice is read. (10,000 per slice held the lock for milliseconds; 64,
     * with cache misses inside the hold, for about 20 µs: in both cases a put's p99 during a merge
     * rose 2.5-3x.)
     */
    private static final int SWITCH_SLICE = 16;

    /** What the merge needs from the database. */
    interface Host {
        ReentrantLock writeLock();

        Index index();

        /** Seals the active segment and opens a new one {@code reserve} ids further on; returns the first reserved id. */
        int rotateForMerge(int reserve);

        /** Whether a failed force stopped the database: then nothing may be renamed or deleted. */
        boolean stopped();

        /**
         * The merge failed after its commit point began: outputs the keydir does not list may be on
         * disk, or inputs it no longer lists not yet deleted. Another merge in this process would
         * drop tombstones as if every older segment were its input, and an orphan could replay a
         * deleted key at the next open; so merging stops until the database is reopened, whose
         * recovery replays inputs, then outputs, then later writes: the same data.
         */
        void failedAfterCommitBegan(Throwable failure);

        long now();
    }

    /** A key's move from a record of {@code fromLength} bytes to one of {@code toLength} (to is null for an expired key). */
    private record Switch(byte[] key, int fromSegment, long fromPosition, KeyDirEntry to, int fromLength, int toLength) {}

    /** The put record at {@code at} (of {@code records}' layout), encoded in the current layout. */
    private static ByteBuffer reencode(RecordCodec records, ByteBuffer b, int at, byte[] key, KeyDirEntry entry) {
        byte[] value = new byte[entry.valueSize()];
        b.get(at + records.valueOffset(b, at), value);
        ByteBuffer record = RecordCodec.allocate(RecordCodec.current().putSize(key.length, value.length, entry.expiry()));
        long timestamp = Math.clamp(records.timestamp(b, at), 0, (1L << 48) - 1); // version 2 keeps 48 bits: to the year 10889
        RecordCodec.current().encodePut(record, timestamp, entry.expiry(), key, value);
        return record.flip();
    }

    private final Host host;
    private final Path dir;
    private final FileLayer files;
    private final long maxFileSize;
    private final Progress progress;

    /** {@code files}: the database's fail-stop layer, so that a failed force of an output stops the database too. */
    Merger(Host host, Path dir, FileLayer files, CaskOptions options, Progress progress) {
        this.host = host;
        this.dir = dir;
        this.files = files;
        this.maxFileSize = options.maxFileSize();
        this.progress = progress;
    }

    MergeResult run() throws IOException {
        long started = System.nanoTime();
        List<Segment> inputs;
        int firstOutputId;
        host.writeLock().lock();
        try {
            int before = host.index().segments().size(); // every segment is an input once the active one is sealed
            firstOutputId = host.rotateForMerge(before + 1); // outputs never outnumber inputs; ids are a finite resource (see KeyDir)
            inputs = new ArrayList<>();
            for (Segment s : host.index().segments()) if (s.sealed && s.id < firstOutputId) inputs.add(s);
        } finally {
            host.writeLock().unlock();
        }
        long inputBytes = 0;
        for (Segment s : inputs) inputBytes += s.size;
        int lastOutputId = firstOutputId + inputs.size(); // the reserved ids; past them the last output grows beyond maxFileSize instead

        List<Switch> switches = new ArrayList<>();
        List<Switch> expired = new ArrayList<>();
        List<Output> outputs = new ArrayList<>();
        long done = 0;
        long now = host.now();
        try {
            Output out = null;
            for (Segment input : inputs) {
                try (DataFile in = files.open(input.path, OpenMode.READ)) {
                    SegmentScanner scan = new SegmentScanner(in, input.size, input.firstRecord, input.codec);
                    RecordCodec records = input.codec;
                    while (scan.next()) {
                        ByteBuffer b = scan.buffer();
                        int at = scan.at();
                        if (records.isControl(b, at) || records.isTombstone(b, at)) continue;
                        byte[] key = records.key(b, at);
                        long valuePosition = scan.offset() + records.valueOffset(b, at);
                        KeyDirEntry entry = host.index().keyDir.get(key);
                        if (entry == null || entry.segmentId() != input.id || entry.valuePosition() != valuePosition) continue;
                        if (entry.expiredAt(now)) {
                            expired.add(new Switch(key, input.id, valuePosition, null, scan.length(), scan.length()));
                            continue;
                        }
                        // a record of an older layout is written anew in the current one; any other is copied as it is
                        ByteBuffer record = records == RecordCodec.current() ? b : reencode(records, b, at, key, entry);
                        int recordAt = records == RecordCodec.current() ? at : 0;
                        int length = records == RecordCodec.current() ? scan.length() : record.limit();
                        if (out == null || (out.size > FileHeader.SIZE && out.size + length > maxFileSize && out.id < lastOutputId)) {
                            if (out != null) out.finish();
                            out = new Output(outputs.isEmpty() ? firstOutputId : out.id + 1);
                            outputs.add(out);
                        }
                        long outValue = out.append(record, recordAt, length) + length - entry.valueSize();
                        out.hint.add(records.timestamp(b, at), entry.expiry(), key, entry.valueSize(), outValue);
                        switches.add(new Switch(key, input.id, valuePosition,
                                new KeyDirEntry(out.id, outValue, entry.valueSize(), entry.expiry()), scan.length(), length));
                        if ((switches.size() & 0x3ff) == 0) progress.update(done + scan.offset(), inputBytes);
                    }
                    if (scan.stop() != SegmentScanner.Stop.CLEAN_END) {
                        throw new CorruptionException("merge stopped: segment " + input.path + " is damaged at offset " + scan.offset()
                                + "; run 'cask check --repair'", input.path, scan.offset());
                    }
                }
                done += input.size;
                progress.update(done, inputBytes);
            }
            if (out != null) out.finish();
        } catch (IOException | RuntimeException e) {
            for (Output o : outputs) o.abandon();
            throw e;
        }

        if (host.stopped()) { // a force failed meanwhile: nothing may be committed
            for (Output o : outputs) o.abandon();
            throw new IOException("merge abandoned before its commit: writes were stopped by a failed force");
        }
        // commit point: outputs renamed into place, then the directory forced
        long switchNanos;
        try {
            List<Segment> outputSegments = new ArrayList<>();
            for (Output o : outputs) files.rename(o.tempData, dir.resolve(SegmentNames.dataName(o.id)));
            for (Output o : outputs) files.rename(o.tempHint, dir.resolve(SegmentNames.hintName(o.id)));
            files.syncDirectory(dir);
            for (Output o : outputs) outputSegments.add(Segment.sealed(o.id, dir.resolve(SegmentNames.dataName(o.id)), files, o.size, new FileHeader.Read(FileHeader.Kind.DATA.currentVersion, FileHeader.SIZE)));

            long switchStarted = System.nanoTime();
            switchKeydir(outputSegments, switches, expired);
            switchNanos = System.nanoTime() - switchStarted;
            retire(inputs);
        } catch (IOException | RuntimeException e) {
            host.failedAfterCommitBegan(e);
            throw e;
        }
        long outputBytes = outputs.stream().mapToLong(o -> o.size).sum();
        return new MergeResult(inputs.size(), outputs.size(), inputBytes, outputBytes, switches.size(), expired.size(),
                (System.nanoTime() - started) / 1_000_000, switchNanos / 1_000_000.0, host.now());
    }

    private void switchKeydir(List<Segment> outputs, List<Switch> switches, List<Switch> expired) {
        host.writeLock().lock();
        try {
            for (Segment s : outputs) host.index().addSegment(s);
        } finally {
            host.writeLock().unlock();
        }
        for (int from = 0; from < switches.size(); from += SWITCH_SLICE) {
            List<Switch> slice = switches.subList(from, Math.min(switches.size(), from + SWITCH_SLICE));
            for (Switch s : slice) host.index().keyDir.get(s.key); // unlocked (reads need no lock): brings the slots into cache, so the hold below is short
            host.writeLock().lock(); // slices, so that writers wait at most for one slice
            try {
                for (Switch s : slice) {
                    if (host.index().keyDir.replaceIf(s.key, s.fromSegment, s.fromPosition, s.to)) {
                        host.index().moved(s.to, s.fromLength, s.toLength);
                    }
                }
            } finally {
                host.writeLock().unlock();
            }
        }
        for (int from = 0; from < expired.size(); from += SWITCH_SLICE) {
            List<Switch> slice = expired.subList(from, Math.min(expired.size(), from + SWITCH_SLICE));
            for (Switch s : slice) host.index().keyDir.get(s.key);
            host.writeLock().lock();
            try {
                for (Switch s : slice) host.index().removeIfAt(s.key, s.fromSegment, s.fromPosition);
            } finally {
                host.writeLock().unlock();
            }
        }
    }

    private void retire(List<Segment> inputs) throws IOException {
        host.writeLock().lock();
        try {
            for (Segment s : inputs) host.index().removeSegment(s.id);
        } finally {
            host.writeLock().unlock();
        }
        for (Segment s : inputs) { // oldest first, each deletion durable before the next
            s.close();
            files.delete(s.path);
            files.delete(dir.resolve(SegmentNames.hintName(s.id)));
            files.syncDirectory(dir);
        }
    }

    /** One output segment being written, with its hint. */
    private final class Output {
        final int id;
        final Path tempData;
        final Path tempHint;
        final DataFile data;
        final HintFiles.Writer hint;
        final ByteBuffer buf = RecordCodec.allocate(1 << 20);
        long size;
        long flushed;

        Output(int id) throws IOException {
            this.id = id;
            this.tempData = dir.resolve(SegmentNames.dataName(id) + SegmentNames.TEMP_SUFFIX);
            this.tempHint = dir.resolve(SegmentNames.hintName(id) + SegmentNames.TEMP_SUFFIX);
            this.data = files.open(tempData, OpenMode.WRITE);
            data.truncate(0);
            buf.put(FileHeader.encode(FileHeader.Kind.DATA));
            size = FileHeader.SIZE;
            this.hint = new HintFiles.Writer(files, dir, id, tempHint);
        }

        long append(ByteBuffer from, int at, int length) throws IOException {
            long position = size;
            if (length > buf.remaining()) flush();
            if (length > buf.capacity()) {
                data.write(from.slice(at, length), flushed);
                flushed += length;
            } else {
                buf.put(from.slice(at, length));
            }
            size += length;
            return position;
        }

        private void flush() throws IOException {
            buf.flip();
            int n = buf.remaining();
            data.write(buf, flushed);
            flushed += n;
            buf.clear();
        }

        void finish() throws IOException {
            flush();
            data.force(true);
            data.close();
            hint.finish(size);
        }

        void abandon() {
            try {
                data.close();
            } catch (IOException ignored) {
                // abandoning after a failure; the temp file is deleted next
            }
            try {
                hint.close();
                files.delete(tempData);
            } catch (IOException ignored) {
                // a leftover .tmp file is deleted at the next open
            }
        }
    }
}

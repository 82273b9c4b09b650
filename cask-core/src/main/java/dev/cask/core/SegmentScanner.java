package dev.cask.core;

import dev.cask.core.io.DataFile;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads a segment file front to back, one checked record at a time, and says why it stopped:
 * a clean end, only zeros from there on, bytes that end inside a record, or a record whose header
 * or CRC is bad.
 */
public final class SegmentScanner {
    /** Why {@link #next()} returned false. */
    public enum Stop {
        NONE,
        CLEAN_END,
        /**
         * Nothing but zeros from {@link #offset()} to the end of the file. The active segment's
         * writer grows the file ahead of itself, so in the newest segment after a crash this is the
         * end of the data, not damage (zeros never form a valid record: a key is at least 1 byte).
         */
        ZEROS,
        INCOMPLETE,
        INVALID
    }

    private static final int INITIAL_BUFFER = 1 << 20;

    private final DataFile file;
    private final long fileSize;
    private final RecordCodec records;
    private ByteBuffer buf = RecordCodec.allocate(INITIAL_BUFFER);
    private long bufStart;
    private int pos;
    private int limit;
    private int length;
    private Stop stop = Stop.NONE;

    /**
     * Scans from {@code start}, which must be where a record begins (or is expected to): the first
     * record of a file is past its header ({@link FileHeader#read}), whose version gives the
     * records' layout ({@link RecordCodec#forVersion}).
     */
    public SegmentScanner(DataFile file, long fileSize, long start, RecordCodec records) {
        this.file = file;
        this.fileSize = fileSize;
        this.records = records;
        this.bufStart = start;
    }

    /** Advances to the next whole, valid record; false when there is none (see {@link #stop()}). */
    public boolean next() throws IOException {
        if (stop != Stop.NONE) return false;
        pos += length;
        length = 0;
        while (true) {
            int result = records.check(buf, pos, limit);
            if (result > 0) {
                length = result;
                return true;
            }
            if (result == RecordCodec.INVALID) {
                stop = zerosToEnd() ? Stop.ZEROS : Stop.INVALID;
                return false;
            }
            long at = bufStart + pos;
            long claimed = records.claimedLength(buf, pos, limit); // INCOMPLETE while the header itself is cut short
            long wanted = claimed > 0 ? claimed : records.maxHeaderSize();
            if (bufStart + limit >= fileSize || (claimed > 0 && at + claimed > fileSize)) {
                stop = at == fileSize ? Stop.CLEAN_END : zerosToEnd() ? Stop.ZEROS : Stop.INCOMPLETE;
                return false;
            }
            refill((int) wanted);
        }
    }

    private void refill(int wanted) throws IOException {
        if (wanted > buf.capacity()) {
            ByteBuffer bigger = RecordCodec.allocate(Math.max(wanted, buf.capacity() * 2));
            bigger.put(0, buf, pos, limit - pos);
            buf = bigger;
        } else {
            buf.put(0, buf, pos, limit - pos);
        }
        bufStart += pos;
        limit -= pos;
        pos = 0;
        ByteBuffer window = buf.duplicate().position(limit).limit(buf.capacity());
        limit += file.read(window, bufStart + limit);
    }

    /** True if every byte from the current offset to the end of the file is zero. */
    private boolean zerosToEnd() throws IOException {
        ByteBuffer window = ByteBuffer.allocate(INITIAL_BUFFER);
        ByteBuffer zeros = ByteBuffer.allocate(INITIAL_BUFFER);
        for (long at = bufStart + pos; at < fileSize; ) {
            int n = file.read(window.clear().limit((int) Math.min(window.capacity(), fileSize - at)), at);
            if (n <= 0) return false; // shorter than it said: not a tail to pass over silently
            if (window.flip().mismatch(zeros.clear().limit(n)) != -1) return false;
            at += n;
        }
        return true;
    }

    /** The file offset of the current record (or, after a stop, of where the stop happened). */
    public long offset() {
        return bufStart + pos;
    }

    /**
     * Where the next record would start if the record at {@link #offset()} is as long as its header
     * claims, or -1 if its header is not whole or impossible: after a stop, the first place to look
     * for the records that follow damage.
     */
    public long claimedNext() {
        long claimed = records.claimedLength(buf, pos, limit);
        return claimed < 0 ? -1 : bufStart + pos + claimed;
    }

    public int length() {
        return length;
    }

    /** The buffer holding the current record at {@link #at()}: read it with {@link #records()}. */
    public ByteBuffer buffer() {
        return buf;
    }

    /** The layout of the records scanned. */
    public RecordCodec records() {
        return records;
    }

    public int at() {
        return pos;
    }

    public Stop stop() {
        return stop;
    }

    public long fileSize() {
        return fileSize;
    }

    private static final int RESYNC_WINDOW = 1 << 20;

    /**
     * The first offset at or after {@code from} where a whole, valid record starts, or -1 if none
     * does before {@code size}. {@code likely} (or -1) is tried first: where the bad record's own
     * length field says the next record starts, which finds it at once when the damage left the
     * length intact. Memory stays bounded whatever the record sizes a damaged header claims: a
     * candidate longer than the window is CRC-checked in chunks, never read whole.
     */
    public static long resync(DataFile file, long size, long from, long likely, RecordCodec records) throws IOException {
        ByteBuffer chunk = RecordCodec.allocate(RESYNC_WINDOW);
        if (likely >= from && likely < size && validAt(file, size, likely, chunk, records)) return likely;
        ByteBuffer buf = RecordCodec.allocate(RESYNC_WINDOW + records.maxHeaderSize());
        for (long base = from; base < size; base += RESYNC_WINDOW) {
            buf.clear();
            int n = 0;
            while (n < buf.capacity() && base + n < size) {
                int r = file.read(buf.limit((int) Math.min(buf.capacity(), size - base)).position(n), base + n);
                if (r <= 0) break;
                n += r;
            }
            buf.clear();
            for (int i = 0; i < Math.min(n, RESYNC_WINDOW); i++) {
                long length = records.claimedLength(buf, i, n);
                if (length == RecordCodec.INCOMPLETE) break; // the file ends inside this header
                if (length < 0 || base + i + length > size) continue;
                int inWindow = records.check(buf, i, n);
                if (inWindow > 0) return base + i;
                if (inWindow == RecordCodec.INCOMPLETE && validAt(file, size, base + i, chunk, records)) return base + i;
            }
        }
        return -1;
    }

    /** Whether a whole valid record starts at {@code at}, checked in chunks of {@code chunk}'s size. */
    static boolean validAt(DataFile file, long size, long at, ByteBuffer chunk, RecordCodec records) throws IOException {
        chunk.clear().limit((int) Math.min(chunk.capacity(), size - at));
        int n = file.read(chunk, at);
        if (n <= 0) return false;
        long length = records.claimedLength(chunk, 0, n);
        if (length < 0 || at + length > size) return false;
        if (length <= n) return records.check(chunk, 0, (int) length) > 0;
        if (records.isControl(chunk, 0)) return false; // control records are short: a long one is impossible
        int stored = RecordCodec.storedCrc(chunk, 0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(chunk.slice(4, n - 4));
        long done = n;
        while (done < length) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), length - done));
            int r = file.read(chunk, at + done);
            if (r <= 0) return false;
            crc.update(chunk.flip());
            done += r;
        }
        return (int) crc.getValue() == stored;
    }

    /** How many valid records follow, one after the other, from {@code at} (for messages). */
    public static long countValid(DataFile file, long size, long at, RecordCodec records) throws IOException {
        SegmentScanner scan = new SegmentScanner(file, size, at, records);
        long n = 0;
        while (scan.next()) n++;
        return n;
    }

    /** The unit a disk writes atomically: a page written back at a power cut may be torn at these boundaries. */
    static final int SECTOR = 512;
    /** Shorter zero runs are common inside records (lengths, timestamps); a sector left unwritten is a hole of zeros. */
    private static final int MIN_UNWRITTEN_RUN = 32;

    /**
     * Whether bytes that do not parse, [from, to), look like a page torn at a power cut: a run of at
     * least 32 zeros from {@code from} or a sector boundary to {@code to} or a sector boundary. Past
     * the last force the file is a hole, so a sector the kernel never wrote back reads as zeros, while
     * a later sector of the same page did reach the disk.
     */
    public static boolean hasUnwrittenSector(DataFile file, long from, long to) throws IOException {
        if (to - from > 64L * SECTOR) return false; // a torn page, not a damaged stretch: at most a few pages of writeback
        ByteBuffer gap = ByteBuffer.allocate((int) (to - from));
        if (file.read(gap, from) != gap.capacity()) return false;
        long runStart = -1; // where the current zero run began, if it began at the gap's start or on a sector boundary
        for (long at = from; at < to; at++) {
            if (gap.get((int) (at - from)) != 0) {
                runStart = -1;
                continue;
            }
            if (runStart < 0 && (at == from || at % SECTOR == 0)) runStart = at;
            long end = at + 1;
            if (runStart >= 0 && (end % SECTOR == 0 || end == to) && end - runStart >= minimumRun(runStart, from)) return true;
        }
        return false;
    }

    /**
     * A record whose first bytes, up to a sector boundary, are zeros was cut by a sector that never
     * reached the disk (the sector before it held durable records): a whole zero CRC field is
     * enough to tell. A run elsewhere must be longer, since records hold zeros of their own.
     */
    private static int minimumRun(long runStart, long gapStart) {
        return runStart == gapStart ? RecordCodec.CRC_SIZE : MIN_UNWRITTEN_RUN;
    }

    /** Whether every byte of [from, to) is zero. */
    public static boolean allZeros(DataFile file, long from, long to) throws IOException {
        ByteBuffer window = ByteBuffer.allocate((int) Math.min(RESYNC_WINDOW, Math.max(1, to - from)));
        for (long at = from; at < to; ) {
            int n = file.read(window.clear().limit((int) Math.min(window.capacity(), to - at)), at);
            if (n <= 0) return false;
            for (int i = 0; i < n; i++) if (window.get(i) != 0) return false;
            at += n;
        }
        return true;
    }
}

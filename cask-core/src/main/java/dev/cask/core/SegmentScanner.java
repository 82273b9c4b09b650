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
    private ByteBuffer buf = RecordCodec.allocate(INITIAL_BUFFER);
    private long bufStart;
    private int pos;
    private int limit;
    private int length;
    private Stop stop = Stop.NONE;

    public SegmentScanner(DataFile file, long fileSize) {
        this(file, fileSize, 0);
    }

    /** Scans from {@code start}, which must be where a record begins (or is expected to). */
    public SegmentScanner(DataFile file, long fileSize, long start) {
        this.file = file;
        this.fileSize = fileSize;
        this.bufStart = start;
    }

    /** Advances to the next whole, valid record; false when there is none (see {@link #stop()}). */
    public boolean next() throws IOException {
        if (stop != Stop.NONE) return false;
        pos += length;
        length = 0;
        while (true) {
            int result = RecordCodec.check(buf, pos, limit);
            if (result > 0) {
                length = result;
                return true;
            }
            if (result == RecordCodec.INVALID) {
                stop = zerosToEnd() ? Stop.ZEROS : Stop.INVALID;
                return false;
            }
            long at = bufStart + pos;
            long wanted = limit - pos >= RecordCodec.HEADER_SIZE ? RecordCodec.claimedLength(buf, pos) : RecordCodec.HEADER_SIZE;
            if (bufStart + limit >= fileSize || at + wanted > fileSize) {
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

    public int length() {
        return length;
    }

    /** The buffer holding the current record at {@link #at()}: read it with {@link RecordCodec}. */
    public ByteBuffer buffer() {
        return buf;
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
}

package dev.cask.core;

import dev.cask.core.io.DataFile;
import dev.cask.core.io.FileLayer;
import dev.cask.core.io.OpenMode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * One data file of a database, and what the engine knows about it.
 *
 * <p>Only the active segment holds an open file. A sealed segment (closed by rotation, loaded as
 * an older segment, or written by merge) holds no file descriptor: on its first read it is mapped
 * read-only as a whole and the file is closed again, so ten thousand segments cost ten thousand
 * mappings, not ten thousand open files.
 *
 * <p>The active segment's file may be longer than its records: the writer grows it ahead of
 * itself (see {@link TailWarmer}). Its length is never the end of the data; {@link #size} is.
 *
 * <p>The active segment is read through read-only mappings of fixed 1 MiB chunks, each mapped
 * once the file holds all of it; bytes past the last whole chunk, and records that straddle two
 * chunks, are read with a positional read. Mapped bytes are never truncated away: only the tail
 * past every mapped chunk is ever cut. Small chunks keep recent writes, which a server reads
 * most, on the mapped path: with 64 MiB chunks every read of a young segment was a
 * {@code pread}.
 */
final class Segment {
    static final int CHUNK_BITS = 20;
    static final long CHUNK = 1L << CHUNK_BITS;

    final int id;
    final Path path;
    /**
     * Where the first record starts: past the file's header ({@link FileHeader}), or 0 in a
     * version-0 file. Set again only by recovery, before the segment is shared, when it gives an
     * empty active segment its header.
     */
    long firstRecord;
    /** The layout of this segment's records, from its header's format version (set again with {@link #firstRecord}). */
    RecordCodec codec;
    private final FileLayer files;
    /** The open file of the active segment; null once sealed. */
    private volatile DataFile file;
    /** Bytes written to the file and kept; records never extend past it. */
    volatile long size;
    /** True once no more records will be appended. */
    volatile boolean sealed;
    /** Bytes of records that are still the newest version of a key (guarded by the write lock). */
    long liveBytes;
    /**
     * How long the writer has grown the active segment's file (guarded by the write lock). Past
     * {@link #size} it holds zeros not written yet, a hole kept ahead of the writer; it is cut
     * off before the segment is sealed or closed, and recovery cuts it after a crash.
     */
    volatile long preparedEnd;
    /**
     * The file's length when a force last covered its metadata, or -1 if none did yet. A force
     * without metadata ({@code fdatasync}, {@code O_DSYNC}) is not trusted to make a new length
     * durable, so a longer file is forced with metadata once (see {@code Cask#forceActive}).
     */
    volatile long lengthForced = -1;

    private final Arena arena = Arena.ofShared();
    private volatile MemorySegment[] chunks = new MemorySegment[0];
    private volatile MemorySegment whole;
    private boolean closed;

    private Segment(int id, Path path, FileLayer files, DataFile file, long size, FileHeader.Read header, boolean sealed) {
        this.id = id;
        this.path = path;
        this.firstRecord = header.firstRecord();
        this.codec = RecordCodec.forVersion(header.version());
        this.files = files;
        this.file = file;
        this.size = size;
        this.preparedEnd = size;
        this.sealed = sealed;
    }

    static Segment active(int id, Path path, FileLayer files, DataFile file, long size, FileHeader.Read header) {
        return new Segment(id, path, files, file, size, header, false);
    }

    static Segment sealed(int id, Path path, FileLayer files, long size, FileHeader.Read header) {
        return new Segment(id, path, files, null, size, header, true);
    }

    /** The bytes a put record of {@code entry} and a key of {@code keySize} bytes takes in this segment. */
    int recordLength(int keySize, KeyDirEntry entry) {
        return codec.putSize(keySize, entry.valueSize(), entry.expiry());
    }

    /** Whether the segment holds no record yet. */
    boolean empty() {
        return size <= firstRecord;
    }

    /** A position in the log that only grows: segment id, then offset inside it. */
    static long lsn(int segmentId, long offset) {
        return ((long) segmentId << 32) | offset;
    }

    /** How long the file is: its records, or the prepared hole past them if longer. */
    long fileLength() {
        return Math.max(size, preparedEnd);
    }

    long endLsn() {
        return lsn(id, size);
    }

    /** The active segment's file (null once sealed). */
    DataFile file() {
        return file;
    }

    /** Marks the segment sealed and closes its file: reads come from a mapping from now on. */
    void seal() throws IOException {
        sealed = true;
        DataFile open = file;
        file = null;
        if (open != null) open.close();
    }

    /**
     * The {@code length} bytes at {@code position} as a little-endian buffer: a view of a mapping
     * when one covers them, else a heap buffer filled by a positional read (which may hold fewer
     * bytes if the file is shorter).
     */
    ByteBuffer read(long position, int length) throws IOException {
        if (sealed) {
            MemorySegment all = wholeMapping();
            if (position + length > all.byteSize()) return RecordCodec.allocate(0);
            return all.asSlice(position, length).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        int index = (int) (position >>> CHUNK_BITS);
        long inChunk = position & (CHUNK - 1);
        if (inChunk + length <= CHUNK) {
            MemorySegment chunk = chunk(index);
            if (chunk != null) return chunk.asSlice(inChunk, length).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        DataFile open = file;
        if (open == null) return read(position, length); // sealed between the check and here
        ByteBuffer buf = RecordCodec.allocate(length);
        open.read(buf, position);
        return buf.flip();
    }

    /** The record of {@code entry}, once its CRC and header check out. */
    ByteBuffer checkedRecord(byte[] key, KeyDirEntry entry) throws IOException {
        return checkedRecord(key, entry.valuePosition(), entry.valueSize(), entry.expiry(), null);
    }

    /**
     * The record of the put whose value is at {@code valuePosition}, once its CRC and header check
     * out. With {@code scratch}, a record a mapping holds is copied into it, not viewed (a view is
     * two objects a read): the buffer returned is then the scratch's, valid until its next use.
     */
    ByteBuffer checkedRecord(byte[] key, long valuePosition, int valueSize, long expiry, ReadScratch scratch) throws IOException {
        RecordCodec records = codec;
        int header = records.headerSize(key.length, valueSize, expiry, false);
        int length = header + key.length + valueSize; // putSize and recordOffset, with the header's size worked out once
        long position = valuePosition - header - key.length;
        ByteBuffer buf = scratch == null || length > ReadScratch.MAX_RECORD ? read(position, length) : copy(position, length, scratch);
        if (buf.limit() != length || !records.isPutRecord(buf, length, key, valueSize, expiry)) {
            throw new CorruptionException("record of " + length + " bytes at offset " + position + " of segment " + path
                    + " failed its CRC or header check; the value is not returned", path, position);
        }
        return buf;
    }

    /** As {@link #read}, but a mapped range is copied into {@code scratch} instead of viewed. */
    private ByteBuffer copy(long position, int length, ReadScratch scratch) throws IOException {
        MemorySegment from;
        long at;
        if (sealed) {
            from = wholeMapping();
            at = position;
            if (position + length > from.byteSize()) return RecordCodec.allocate(0);
        } else {
            long inChunk = position & (CHUNK - 1);
            from = inChunk + length <= CHUNK ? chunk((int) (position >>> CHUNK_BITS)) : null;
            if (from == null) return read(position, length);
            at = inChunk;
        }
        MemorySegment.copy(from, ValueLayout.JAVA_BYTE, at, scratch.bytes(length), 0, length);
        return scratch.buffer(length);
    }

    private MemorySegment wholeMapping() throws IOException {
        MemorySegment mapped = whole;
        if (mapped != null) return mapped;
        synchronized (this) {
            if (whole != null) return whole;
            if (closed) throw new IllegalStateException("segment " + path + " is closed");
            try (DataFile f = files.open(path, OpenMode.READ)) {
                whole = size == 0 ? MemorySegment.NULL : f.map(0, size, arena);
            }
            return whole;
        }
    }

    private MemorySegment chunk(int index) throws IOException {
        MemorySegment[] mapped = chunks;
        if (index < mapped.length && mapped[index] != null) return mapped[index];
        long start = (long) index << CHUNK_BITS;
        // The active segment's file is grown ahead of its last record (preparedEnd): the chunk being
        // appended to can be mapped too, so that a read of what was just written is a copy, not a pread.
        if (start + CHUNK > Math.max(size, preparedEnd)) return null;
        synchronized (this) {
            mapped = chunks;
            if (index < mapped.length && mapped[index] != null) return mapped[index];
            DataFile open = file;
            if (open == null || closed) return null;
            MemorySegment chunk;
            try {
                chunk = open.map(start, CHUNK, arena);
            } catch (IOException e) {
                if (start + CHUNK > size) return null; // the prepared tail was just cut (a seal, a failed write): read it, don't map it
                throw e;
            }
            MemorySegment[] grown = index < mapped.length ? mapped.clone()
                    : java.util.Arrays.copyOf(mapped, Math.max(index + 1, mapped.length * 2)); // geometric: 2,048 chunks in 2 GiB
            grown[index] = chunk;
            chunks = grown;
            return chunk;
        }
    }

    /** Unmaps everything and closes the file; readers still inside a mapping get IllegalStateException and retry. */
    void close() throws IOException {
        try {
            synchronized (this) {
                if (closed) return;
                closed = true;
                chunks = new MemorySegment[0];
                whole = null;
                arena.close();
            }
        } finally {
            DataFile open = file;
            file = null;
            if (open != null) open.close();
        }
    }
}

package dev.cask.core;

import dev.cask.core.io.DataFile;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * One data file of a database, and what the engine knows about it.
 *
 * <p>Reads are served from read-only memory mappings of fixed 64 MiB chunks, mapped on first
 * use, so a get from the page cache costs no system call. A chunk is mapped only once the file
 * holds all of it (or, for a sealed segment, up to its end); bytes past the last mapped chunk,
 * and records that straddle two chunks, are read with a positional read. Mapped bytes are never
 * truncated away: only the unforced tail of the active segment is ever cut, and it lies past
 * every mapped chunk.
 */
final class Segment {
    static final int CHUNK_BITS = 26;
    static final long CHUNK = 1L << CHUNK_BITS;

    final int id;
    final Path path;
    final DataFile file;
    /** Bytes written to the file and kept; records never extend past it. */
    volatile long size;
    /** True once no more records will be appended (closed by rotation, or loaded as an older segment). */
    volatile boolean sealed;
    /** Bytes of records that are still the newest version of a key (guarded by the write lock). */
    long liveBytes;

    private final Arena arena = Arena.ofShared();
    private volatile MemorySegment[] chunks = new MemorySegment[0];

    Segment(int id, Path path, DataFile file, long size) {
        this.id = id;
        this.path = path;
        this.file = file;
        this.size = size;
    }

    /** A position in the log that only grows: segment id, then offset inside it. */
    static long lsn(int segmentId, long offset) {
        return ((long) segmentId << 32) | offset;
    }

    long endLsn() {
        return lsn(id, size);
    }

    /**
     * The {@code length} bytes at {@code position} as a little-endian buffer: a view of a mapped
     * chunk when one covers them, else a fresh heap buffer filled by a positional read (which may
     * hold fewer bytes if the file is shorter).
     */
    ByteBuffer read(long position, int length) throws IOException {
        int index = (int) (position >>> CHUNK_BITS);
        long inChunk = position & (CHUNK - 1);
        if (inChunk + length <= CHUNK) {
            MemorySegment chunk = chunk(index);
            if (chunk != null && inChunk + length <= chunk.byteSize()) {
                return chunk.asSlice(inChunk, length).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            }
        }
        ByteBuffer buf = RecordCodec.allocate(length);
        file.read(buf, position);
        return buf.flip();
    }

    private MemorySegment chunk(int index) throws IOException {
        MemorySegment[] mapped = chunks;
        if (index < mapped.length && mapped[index] != null) return mapped[index];
        long start = (long) index << CHUNK_BITS;
        long end = sealed ? Math.min(start + CHUNK, size) : start + CHUNK;
        if (end > size || end <= start) return null;
        return mapChunk(index, start, end);
    }

    private synchronized MemorySegment mapChunk(int index, long start, long end) throws IOException {
        MemorySegment[] mapped = chunks;
        if (index < mapped.length && mapped[index] != null) return mapped[index];
        MemorySegment chunk = file.map(start, end - start, arena);
        MemorySegment[] grown = java.util.Arrays.copyOf(mapped, Math.max(mapped.length, index + 1));
        grown[index] = chunk;
        chunks = grown;
        return chunk;
    }

    /** Unmaps every chunk and closes the file; readers still inside a mapping get IllegalStateException. */
    void close() throws IOException {
        try {
            synchronized (this) {
                chunks = new MemorySegment[0];
                arena.close();
            }
        } finally {
            file.close();
        }
    }
}

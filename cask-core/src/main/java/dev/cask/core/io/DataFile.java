package dev.cask.core.io;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/** One open file of the engine: positional writes and reads, force, truncate and extend. */
public interface DataFile extends Closeable {

    /** Writes all remaining bytes of {@code src} at {@code position}, or throws. */
    void write(ByteBuffer src, long position) throws IOException;

    /**
     * Reads into {@code dst} from {@code position} until {@code dst} is full or the file ends.
     *
     * @return the number of bytes read (less than requested only at the end of the file)
     */
    int read(ByteBuffer dst, long position) throws IOException;

    /**
     * Makes written data durable: {@code fsync} when {@code metadata} is true, {@code fdatasync}
     * otherwise. A failure here means the data may be lost: callers must not retry and pretend.
     */
    void force(boolean metadata) throws IOException;

    /** Cuts the file to {@code size} bytes. */
    void truncate(long size) throws IOException;

    /**
     * Grows the file to {@code size} bytes without writing them: the new bytes read as zeros. The
     * real file layer reserves disk blocks for them ({@code fallocate}) and maps them, so that the
     * writes to come are copies into memory; where it cannot, they are a hole. Either way the grown
     * tail is zeros until written, and recovery cuts zeros past the last record. Does nothing if
     * the file is already that long.
     */
    void extend(long size) throws IOException;

    long size() throws IOException;

    /**
     * Maps {@code [offset, offset + length)} read-only into memory owned by {@code arena}; the range
     * must lie inside the file. Reading the mapping is a positional read without a system call.
     */
    MemorySegment map(long offset, long length, Arena arena) throws IOException;

    @Override
    void close() throws IOException;
}

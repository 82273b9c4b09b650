package dev.cask.lab;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Writes numbered records in one {@link SyncMode} and acknowledges each once the mode says it is
 * durable. Counts its own system calls (writes, fsyncs, fdatasyncs) so a test can check each mode
 * makes the calls it claims without strace.
 */
public final class RawWriter implements AutoCloseable {
    private final SyncMode mode;
    private final LabFile file;
    private final ByteBuffer record;
    private final ByteBuffer userBuffer;
    private final LongConsumer ack;
    private final List<Long> unacked = new ArrayList<>();
    private long next;
    private long userBufferStart;
    public long writeCalls;
    public long fsyncCalls;
    public long fdatasyncCalls;

    public RawWriter(SyncMode mode, LabFile file, int recordSize, LongConsumer ack) {
        this.mode = mode;
        this.file = file;
        this.record = ByteBuffer.allocateDirect(recordSize);
        this.userBuffer = mode == SyncMode.USER_BUFFERED ? ByteBuffer.allocateDirect(64 * recordSize) : null;
        this.ack = ack;
    }

    /** Opens {@code path} on the real disk with libc's open, as the mode needs (O_SYNC / O_DSYNC; preallocated and forced first). */
    public static LabFile openReal(Path path, SyncMode mode, long preallocateBytes) throws IOException {
        if (mode.preallocated()) {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
                for (long at = 0; at < preallocateBytes; at += zeros.capacity()) {
                    zeros.clear().limit((int) Math.min(zeros.capacity(), preallocateBytes - at));
                    while (zeros.hasRemaining()) ch.write(zeros, at + zeros.position());
                }
                ch.force(true);
            }
        }
        return new PosixFile(path, mode.openSync, mode.openDsync);
    }

    /** Writes the next record; calls the ack consumer for every record this made durable per the mode. */
    public void writeNext() throws IOException {
        LabRecord.encode(record, next);
        writeNext(record.clear());
    }

    /**
     * Writes the next record from {@code encoded}, which must hold record number {@link #next()}
     * (encoded beforehand, so that a timed run measures the write and not the encoding, as fio does).
     */
    public void writeNext(ByteBuffer encoded) throws IOException {
        long seq = next++;
        ByteBuffer record = encoded;
        if (userBuffer != null) {
            if (userBuffer.remaining() < record.capacity()) flushUserBuffer();
            userBuffer.put(record);
            ack.accept(seq); // acknowledged while still in this process's memory: the unsafe part
            return;
        }
        file.write(record, seq * record.capacity());
        writeCalls++;
        unacked.add(seq);
        if (mode.forceEvery > 0 && next % mode.forceEvery == 0) {
            file.force(mode.fsync);
            if (mode.fsync) fsyncCalls++;
            else fdatasyncCalls++;
        }
        if (mode.forceEvery <= 1 || next % mode.forceEvery == 0) { // no force, or this one covered them
            for (long s : unacked) ack.accept(s);
            unacked.clear();
        }
    }

    /** The sequence number of the next record. */
    public long next() {
        return next;
    }

    private void flushUserBuffer() throws IOException {
        userBuffer.flip();
        file.write(userBuffer, userBufferStart);
        writeCalls++;
        userBufferStart += userBuffer.limit();
        userBuffer.clear();
    }

    @Override
    public void close() throws IOException {
        if (userBuffer != null) flushUserBuffer();
        file.close();
    }
}

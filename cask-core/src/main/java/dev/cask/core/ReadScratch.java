package dev.cask.core;

import java.nio.ByteBuffer;

/**
 * One reading thread's reusable space for a get: the keydir entry's fields and a copy of the
 * record, so that a get of a small value allocates nothing but the value it returns (a view of
 * a mapping costs two objects a read, a keydir entry one more).
 */
final class ReadScratch {
    /** Records up to this long are copied here; longer ones get a buffer of their own (a copy would cost more than the allocation). */
    static final int MAX_RECORD = 64 << 10;
    private static final ThreadLocal<ReadScratch> OF_THREAD = ThreadLocal.withInitial(ReadScratch::new);

    /** What {@link KeyDir#get(byte[], long[])} fills: segment id, value position, value size, expiry. */
    final long[] entry = new long[4];
    /** What {@link KeyDir#getAll} fills (four longs a key) and its hashes, for a batch of up to {@link Cask#MAX_BATCH} keys. */
    final long[] entries = new long[4 * Cask.MAX_BATCH];
    final long[] hashes = new long[Cask.MAX_BATCH];
    private byte[] bytes = new byte[512];
    private ByteBuffer buffer = RecordCodec.wrap(bytes);

    static ReadScratch ofThisThread() {
        return OF_THREAD.get();
    }

    /** The copy space, at least {@code length} bytes, as an array. */
    byte[] bytes(int length) {
        if (bytes.length < length) {
            bytes = new byte[Math.max(length, 2 * bytes.length)];
            buffer = RecordCodec.wrap(bytes);
        }
        return bytes;
    }

    /** The copy space as a little-endian buffer holding {@code length} bytes from 0 (after {@link #bytes}). */
    ByteBuffer buffer(int length) {
        return buffer.limit(length).position(0);
    }
}

package dev.cask.core;

import java.nio.ByteBuffer;

/**
 * The record layout of format versions 0 and 1: a fixed 26-byte header. Read for segments
 * written before version 2; never written any more (a merge rewrites such records in
 * {@link RecordCodec#current}).
 *
 * <pre>
 * offset size field
 *      0    4 crc        CRC-32 (IEEE) of bytes 4 .. end of record
 *      4    8 timestamp  milliseconds since the epoch when written
 *     12    8 expiry     milliseconds since the epoch; 0 = never expires
 *     20    2 keySize    unsigned; 0 marks a control record (batch begin / commit)
 *     22    4 valueSize  unsigned; 0xFFFFFFFF marks a tombstone (no value bytes follow)
 *     26    k key
 *   26+k    v value
 * </pre>
 */
final class RecordCodecV1 extends RecordCodec {
    static final RecordCodec INSTANCE = new RecordCodecV1();

    static final int HEADER_SIZE = 26;
    private static final int TIMESTAMP_AT = 4;
    private static final int EXPIRY_AT = 12;
    private static final int KEY_SIZE_AT = 20;
    private static final int VALUE_SIZE_AT = 22;

    @Override
    public int formatVersion() {
        return 1;
    }

    @Override
    public int maxHeaderSize() {
        return HEADER_SIZE;
    }

    @Override
    int headerSize(int keySize, long valueSize, long expiry, boolean tombstone) {
        return HEADER_SIZE;
    }

    @Override
    void writeHeader(ByteBuffer out, long timestamp, long expiry, int keySize, int valueSize, boolean tombstone) {
        out.putInt(0).putLong(timestamp).putLong(expiry).putShort((short) keySize).putInt(tombstone ? (int) TOMBSTONE : valueSize);
    }

    @Override
    public long claimedLength(ByteBuffer buf, int at, int limit) {
        if (limit - at < HEADER_SIZE) return INCOMPLETE;
        int keySize = keySize(buf, at);
        long valueSize = rawValueSize(buf, at);
        if (keySize == 0) return valueSize == CONTROL_PAYLOAD_SIZE ? HEADER_SIZE + CONTROL_PAYLOAD_SIZE : INVALID;
        if (valueSize == TOMBSTONE) return (long) HEADER_SIZE + keySize;
        if (valueSize > MAX_VALUE_SIZE) return INVALID;
        return HEADER_SIZE + keySize + valueSize;
    }

    @Override
    int headerLength(ByteBuffer buf, int at) {
        return HEADER_SIZE;
    }

    @Override
    public long timestamp(ByteBuffer buf, int at) {
        return buf.getLong(at + TIMESTAMP_AT);
    }

    @Override
    public long expiry(ByteBuffer buf, int at) {
        return buf.getLong(at + EXPIRY_AT);
    }

    @Override
    public int keySize(ByteBuffer buf, int at) {
        return Short.toUnsignedInt(buf.getShort(at + KEY_SIZE_AT));
    }

    private static long rawValueSize(ByteBuffer buf, int at) {
        return Integer.toUnsignedLong(buf.getInt(at + VALUE_SIZE_AT));
    }

    @Override
    public boolean isTombstone(ByteBuffer buf, int at) {
        return keySize(buf, at) != 0 && rawValueSize(buf, at) == TOMBSTONE;
    }

    @Override
    public int valueSize(ByteBuffer buf, int at) {
        return (int) rawValueSize(buf, at);
    }
}

package dev.cask.core;

import java.nio.ByteBuffer;

/**
 * The record layout of format version 2: a compact header, 13 bytes for a record with a key and
 * a value under 128 bytes and no expiry (version 1 took 26).
 *
 * <pre>
 * size  field
 *    4  crc        CRC-32 (IEEE) of every byte after it
 *    1  flags      bit 0: tombstone (no valueSize, no value); bit 1: an expiry follows; others 0
 *    6  timestamp  milliseconds since the epoch when written, unsigned 48-bit (to the year 10889)
 *  1-9  expiry     milliseconds since the epoch, varint; only with flag bit 1 (and then never 0)
 *  1-3  keySize    varint, up to 65,535; 0 marks a control record (valueSize then 5)
 *  1-5  valueSize  varint, up to 1 GiB; absent in a tombstone
 *    k  key
 *    v  value
 * </pre>
 *
 * A varint is LEB128: 7 bits a byte, low bits first, the high bit set on every byte but the
 * last. Only the shortest encoding is valid, so a record's header size follows from its key
 * size, value size and expiry alone, which the keydir holds: a get finds the record's start
 * from the value's position without reading the header first.
 */
final class RecordCodecV2 extends RecordCodec {
    static final RecordCodec INSTANCE = new RecordCodecV2();

    static final int FLAG_TOMBSTONE = 1;
    static final int FLAG_EXPIRY = 2;
    private static final int FLAGS_AT = 4;
    private static final int TIMESTAMP_AT = 5;
    private static final int TIMESTAMP_SIZE = 6;
    private static final int EXPIRY_AT = TIMESTAMP_AT + TIMESTAMP_SIZE;
    private static final long TIMESTAMP_LIMIT = 1L << 48;
    private static final int MAX_HEADER = EXPIRY_AT + 9 + 3 + 5;

    @Override
    public int formatVersion() {
        return 2;
    }

    @Override
    public int maxHeaderSize() {
        return MAX_HEADER;
    }

    @Override
    int headerSize(int keySize, long valueSize, long expiry, boolean tombstone) {
        return EXPIRY_AT + (expiry == 0 ? 0 : varintSize(expiry)) + varintSize(keySize) + (tombstone ? 0 : varintSize(valueSize));
    }

    @Override
    void writeHeader(ByteBuffer out, long timestamp, long expiry, int keySize, int valueSize, boolean tombstone) {
        if (timestamp < 0 || timestamp >= TIMESTAMP_LIMIT) throw new IllegalArgumentException("timestamp out of range: " + timestamp);
        out.putInt(0).put((byte) ((tombstone ? FLAG_TOMBSTONE : 0) | (expiry != 0 ? FLAG_EXPIRY : 0)));
        out.putInt((int) timestamp).putShort((short) (timestamp >>> 32));
        if (expiry != 0) putVarint(out, expiry);
        putVarint(out, keySize);
        if (!tombstone) putVarint(out, valueSize);
    }

    private static int varintSize(long value) {
        return Math.max(1, (64 - Long.numberOfLeadingZeros(value) + 6) / 7);
    }

    private static void putVarint(ByteBuffer out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.put((byte) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.put((byte) value);
    }

    /**
     * The length of the varint at {@code at}: {@link #INCOMPLETE} if it runs into {@code limit},
     * {@link #INVALID} if it is longer than {@code maxBytes} or not the shortest encoding.
     */
    private static int varintLength(ByteBuffer buf, int at, int limit, int maxBytes) {
        for (int i = 0; i < maxBytes; i++) {
            if (at + i >= limit) return INCOMPLETE;
            byte b = buf.get(at + i);
            if ((b & 0x80) == 0) return i > 0 && b == 0 ? INVALID : i + 1; // a trailing zero byte: not the shortest form
        }
        return INVALID;
    }

    private static long varint(ByteBuffer buf, int at) {
        long value = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = buf.get(at++);
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
    }

    private static int flags(ByteBuffer buf, int at) {
        return buf.get(at + FLAGS_AT) & 0xff;
    }

    /** Where the keySize varint starts, counted from the record's start. */
    private static int keySizeAt(ByteBuffer buf, int at) {
        if ((flags(buf, at) & FLAG_EXPIRY) == 0) return EXPIRY_AT;
        int n = 0;
        while ((buf.get(at + EXPIRY_AT + n) & 0x80) != 0) n++;
        return EXPIRY_AT + n + 1;
    }

    /**
     * The read path's check without parsing the header: the keydir knows the key, the value size
     * and the expiry, so the header must be their one (shortest) encoding byte for byte; then the
     * key, then the CRC. Equivalent to check, not a tombstone and the key's, for a non-empty key
     * (an empty one goes the general way), at about a third fewer instructions a record.
     */
    @Override
    boolean isPutRecord(byte[] b, int from, int length, byte[] key, int valueSize, long expiry) {
        if (key.length == 0 || expiry < 0 || length < EXPIRY_AT || from + length > b.length) return super.isPutRecord(b, from, length, key, valueSize, expiry);
        int end = from + length;
        if (b[from + FLAGS_AT] != (expiry != 0 ? FLAG_EXPIRY : 0)) return false;
        int p = from + EXPIRY_AT;
        if (expiry != 0 && (p = matchVarint(b, p, end, expiry)) < 0) return false;
        if ((p = matchVarint(b, p, end, key.length)) < 0 || (p = matchVarint(b, p, end, valueSize)) < 0) return false;
        if (end - p != key.length + valueSize || !java.util.Arrays.equals(b, p, p + key.length, key, 0, key.length)) return false;
        return (int) INT_LE.get(b, from) == crc(b, from + CRC_SIZE, length - CRC_SIZE);
    }

    private static final java.lang.invoke.VarHandle INT_LE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /** Where the bytes after {@code value}'s varint at {@code p} begin, if they are its shortest encoding before {@code end}; -1 if not. */
    private static int matchVarint(byte[] b, int p, int end, long value) {
        while ((value & ~0x7FL) != 0) {
            if (p >= end || b[p++] != (byte) ((value & 0x7F) | 0x80)) return -1;
            value >>>= 7;
        }
        return p < end && b[p] == (byte) value ? p + 1 : -1;
    }

    @Override
    public long claimedLength(ByteBuffer buf, int at, int limit) {
        if (limit - at <= EXPIRY_AT) return INCOMPLETE;
        int flags = flags(buf, at);
        if ((flags & ~(FLAG_TOMBSTONE | FLAG_EXPIRY)) != 0) return INVALID;
        int p = at + EXPIRY_AT;
        if ((flags & FLAG_EXPIRY) != 0) {
            int n = varintLength(buf, p, limit, 9);
            if (n < 0) return n;
            long expiry = varint(buf, p);
            if (expiry <= 0) return INVALID; // no expiry is written as no flag; past 2^63 is not a time
            p += n;
        }
        int n = varintLength(buf, p, limit, 3);
        if (n < 0) return n;
        long keySize = varint(buf, p);
        p += n;
        if (keySize > MAX_KEY_SIZE) return INVALID;
        boolean tombstone = (flags & FLAG_TOMBSTONE) != 0;
        if (tombstone) return keySize == 0 ? INVALID : p - at + keySize;
        n = varintLength(buf, p, limit, 5);
        if (n < 0) return n;
        long valueSize = varint(buf, p);
        p += n;
        if (keySize == 0) return valueSize == CONTROL_PAYLOAD_SIZE && flags == 0 ? p - at + CONTROL_PAYLOAD_SIZE : INVALID;
        if (valueSize > MAX_VALUE_SIZE) return INVALID;
        return p - at + keySize + valueSize;
    }

    @Override
    int headerLength(ByteBuffer buf, int at) {
        int p = keySizeAt(buf, at);
        int keyBytes = varintLengthOfValid(buf, at + p);
        if ((flags(buf, at) & FLAG_TOMBSTONE) != 0) return p + keyBytes;
        return p + keyBytes + varintLengthOfValid(buf, at + p + keyBytes);
    }

    private static int varintLengthOfValid(ByteBuffer buf, int at) {
        int n = 0;
        while ((buf.get(at + n) & 0x80) != 0) n++;
        return n + 1;
    }

    @Override
    public long timestamp(ByteBuffer buf, int at) {
        return Integer.toUnsignedLong(buf.getInt(at + TIMESTAMP_AT)) | (long) Short.toUnsignedInt(buf.getShort(at + TIMESTAMP_AT + 4)) << 32;
    }

    @Override
    public long expiry(ByteBuffer buf, int at) {
        return (flags(buf, at) & FLAG_EXPIRY) == 0 ? 0 : varint(buf, at + EXPIRY_AT);
    }

    @Override
    public int keySize(ByteBuffer buf, int at) {
        return (int) varint(buf, at + keySizeAt(buf, at));
    }

    @Override
    public boolean isTombstone(ByteBuffer buf, int at) {
        return (flags(buf, at) & FLAG_TOMBSTONE) != 0;
    }

    @Override
    public int valueSize(ByteBuffer buf, int at) {
        int p = at + keySizeAt(buf, at);
        return (int) varint(buf, p + varintLengthOfValid(buf, p));
    }
}

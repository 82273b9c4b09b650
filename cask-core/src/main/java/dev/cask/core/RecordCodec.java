package dev.cask.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;

/**
 * The data-record format, and the only code that knows it. See {@code docs/FORMAT.md}.
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
 *
 * All integers are little-endian.
 */
public final class RecordCodec {
    public static final int HEADER_SIZE = 26;
    static final int TIMESTAMP_AT = 4;
    static final int EXPIRY_AT = 12;
    static final int KEY_SIZE_AT = 20;
    static final int VALUE_SIZE_AT = 22;

    /** Largest key the format can hold; keys are 1 .. this many bytes. */
    public static final int MAX_KEY_SIZE = 0xFFFF;
    /** Largest value the format and the engine accept, whatever the options say (1 GiB). */
    public static final int MAX_VALUE_SIZE = 1 << 30;
    /** The valueSize of a tombstone: the unsigned 32-bit maximum. */
    public static final long TOMBSTONE = 0xFFFF_FFFFL;

    static final byte CONTROL_BATCH_BEGIN = 1;
    static final byte CONTROL_BATCH_COMMIT = 2;
    static final int CONTROL_PAYLOAD_SIZE = 5;

    /** Result of {@link #check}: the bytes do not (yet) hold a whole record. */
    public static final int INCOMPLETE = -1;
    /** Result of {@link #check}: the header is impossible or the CRC does not match. */
    public static final int INVALID = -2;

    private static final ThreadLocal<CRC32> CRC = ThreadLocal.withInitial(CRC32::new);

    private RecordCodec() {}

    public static int putSize(int keySize, int valueSize) {
        return HEADER_SIZE + keySize + valueSize;
    }

    public static int tombstoneSize(int keySize) {
        return HEADER_SIZE + keySize;
    }

    static int controlSize() {
        return HEADER_SIZE + CONTROL_PAYLOAD_SIZE;
    }

    /** Appends a put record at {@code out}'s position (which must be a little-endian buffer). */
    static void encodePut(ByteBuffer out, long timestamp, long expiry, byte[] key, byte[] value) {
        int start = out.position();
        writeHeader(out, timestamp, expiry, key.length, value.length);
        out.put(key).put(value);
        sealCrc(out, start);
    }

    static void encodeTombstone(ByteBuffer out, long timestamp, byte[] key) {
        int start = out.position();
        writeHeader(out, timestamp, 0, key.length, TOMBSTONE);
        out.put(key);
        sealCrc(out, start);
    }

    static void encodeControl(ByteBuffer out, long timestamp, byte type, int count) {
        int start = out.position();
        writeHeader(out, timestamp, 0, 0, CONTROL_PAYLOAD_SIZE);
        out.put(type).putInt(count);
        sealCrc(out, start);
    }

    private static void writeHeader(ByteBuffer out, long timestamp, long expiry, int keySize, long valueSize) {
        out.putInt(0).putLong(timestamp).putLong(expiry).putShort((short) keySize).putInt((int) valueSize);
    }

    private static void sealCrc(ByteBuffer out, int start) {
        out.putInt(start, crc(out, start + 4, out.position() - start - 4));
    }

    /**
     * The CRC of {@code length} bytes at {@code from}, read by narrowing {@code buf}'s own position
     * and limit for the call (then restoring them) rather than through a slice: a get checks one
     * record, and the slice was an allocation per get.
     */
    private static int crc(ByteBuffer buf, int from, int length) {
        CRC32 crc = CRC.get();
        crc.reset();
        int position = buf.position();
        int limit = buf.limit();
        buf.limit(from + length).position(from);
        crc.update(buf);
        buf.limit(limit).position(position);
        return (int) crc.getValue();
    }

    /**
     * Checks the record that starts at {@code at} in {@code buf}, whose valid bytes end at
     * {@code limit}.
     *
     * @return the record's length, or {@link #INCOMPLETE} if the bytes end first, or
     *     {@link #INVALID} if its header is impossible or its CRC does not match
     */
    public static int check(ByteBuffer buf, int at, int limit) {
        if (limit - at < HEADER_SIZE) return INCOMPLETE;
        long length = claimedLength(buf, at);
        if (length < 0) return INVALID;
        if (limit - at < length) return INCOMPLETE;
        if (buf.getInt(at) != crc(buf, at + 4, (int) length - 4)) return INVALID;
        if (keySize(buf, at) == 0 && !validControl(buf.get(at + HEADER_SIZE))) return INVALID;
        return (int) length;
    }

    /** The length a record claims in its header, or -1 if the header is impossible. The one decode of a record's length. */
    public static long claimedLength(ByteBuffer buf, int at) {
        int keySize = keySize(buf, at);
        long valueSize = rawValueSize(buf, at);
        if (keySize == 0) return valueSize == CONTROL_PAYLOAD_SIZE ? HEADER_SIZE + CONTROL_PAYLOAD_SIZE : -1;
        if (valueSize == TOMBSTONE) return (long) HEADER_SIZE + keySize;
        if (valueSize > MAX_VALUE_SIZE) return -1;
        return HEADER_SIZE + keySize + valueSize;
    }

    /** Where the value of a record that starts at {@code recordOffset} (in a file or a buffer) begins. */
    public static long valuePosition(long recordOffset, int keySize) {
        return recordOffset + HEADER_SIZE + keySize;
    }

    /** Where the record whose value begins at {@code valuePosition} starts. */
    public static long recordOffset(long valuePosition, int keySize) {
        return valuePosition - HEADER_SIZE - keySize;
    }

    /** The CRC a record's header stores (over every byte after it). */
    static int storedCrc(ByteBuffer buf, int at) {
        return buf.getInt(at);
    }

    private static boolean validControl(byte type) {
        return type == CONTROL_BATCH_BEGIN || type == CONTROL_BATCH_COMMIT;
    }

    public static long timestamp(ByteBuffer buf, int at) {
        return buf.getLong(at + TIMESTAMP_AT);
    }

    public static long expiry(ByteBuffer buf, int at) {
        return buf.getLong(at + EXPIRY_AT);
    }

    public static int keySize(ByteBuffer buf, int at) {
        return Short.toUnsignedInt(buf.getShort(at + KEY_SIZE_AT));
    }

    static long rawValueSize(ByteBuffer buf, int at) {
        return Integer.toUnsignedLong(buf.getInt(at + VALUE_SIZE_AT));
    }

    public static boolean isControl(ByteBuffer buf, int at) {
        return keySize(buf, at) == 0;
    }

    public static boolean isTombstone(ByteBuffer buf, int at) {
        return keySize(buf, at) != 0 && rawValueSize(buf, at) == TOMBSTONE;
    }

    /** The value's size of a put record (not for tombstones or control records). */
    public static int valueSize(ByteBuffer buf, int at) {
        return (int) rawValueSize(buf, at);
    }

    public static byte[] key(ByteBuffer buf, int at) {
        byte[] key = new byte[keySize(buf, at)];
        buf.get(at + HEADER_SIZE, key);
        return key;
    }

    /** Whether the record at {@code at} has exactly this key. */
    public static boolean hasKey(ByteBuffer buf, int at, byte[] key) {
        if (keySize(buf, at) != key.length) return false;
        int from = at + HEADER_SIZE;
        for (int i = 0; i < key.length; i++) {
            if (buf.get(from + i) != key[i]) return false; // no slice and no wrap: nothing allocated per get
        }
        return true;
    }

    static byte controlType(ByteBuffer buf, int at) {
        return buf.get(at + HEADER_SIZE);
    }

    static int controlCount(ByteBuffer buf, int at) {
        return buf.getInt(at + HEADER_SIZE + 1);
    }

    /** Whether the control record at {@code at} opens a batch. */
    public static boolean isBatchBegin(ByteBuffer buf, int at) {
        return isControl(buf, at) && controlType(buf, at) == CONTROL_BATCH_BEGIN;
    }

    public static boolean isBatchCommit(ByteBuffer buf, int at) {
        return isControl(buf, at) && controlType(buf, at) == CONTROL_BATCH_COMMIT;
    }

    /** The number of records a batch's begin or commit record counts. */
    public static int batchCount(ByteBuffer buf, int at) {
        return controlCount(buf, at);
    }

    public static ByteBuffer allocate(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }
}

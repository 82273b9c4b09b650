package dev.cask.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;

/**
 * The data-record formats, and the only code that knows them. See {@code docs/FORMAT.md}.
 *
 * <p>Two layouts exist: {@link RecordCodecV1} (format versions 0 and 1, a fixed 26-byte header)
 * and {@link RecordCodecV2} (format version 2, a compact header with variable-length sizes and
 * the expiry only when there is one). A segment's file header says which one its records use
 * ({@link #forVersion}); new records are always written in {@link #current}.
 *
 * <p>Both share what this class holds: a CRC-32 (IEEE) first, over every byte after it; a key
 * size of 0 marking a control record (batch begin or commit) with a 5-byte payload; a tombstone
 * carrying no value; the value last, so that a record's value always ends where the record does.
 * All integers are little-endian.
 */
public abstract sealed class RecordCodec permits RecordCodecV1, RecordCodecV2 {
    /** Largest key the format can hold; keys are 1 .. this many bytes. */
    public static final int MAX_KEY_SIZE = 0xFFFF;
    /** Largest value the format and the engine accept, whatever the options say (1 GiB). */
    public static final int MAX_VALUE_SIZE = 1 << 30;
    /** The valueSize a tombstone stands for (in a hint file, and in a version-1 record). */
    public static final long TOMBSTONE = 0xFFFF_FFFFL;
    /** The CRC field's size: every record starts with it. */
    static final int CRC_SIZE = 4;

    static final byte CONTROL_BATCH_BEGIN = 1;
    static final byte CONTROL_BATCH_COMMIT = 2;
    static final int CONTROL_PAYLOAD_SIZE = 5;

    /** Result of {@link #check} and {@link #claimedLength}: the bytes do not (yet) hold a whole record (or header). */
    public static final int INCOMPLETE = -1;
    /** Result of {@link #check} and {@link #claimedLength}: the header is impossible or the CRC does not match. */
    public static final int INVALID = -2;

    RecordCodec() {}

    /** The codec of the records of a data file whose header says {@code formatVersion} (see {@link FileHeader}). */
    public static RecordCodec forVersion(int formatVersion) {
        return switch (formatVersion) {
            case 0, 1 -> RecordCodecV1.INSTANCE;
            case 2 -> RecordCodecV2.INSTANCE;
            default -> throw new IllegalArgumentException("no record layout for format version " + formatVersion);
        };
    }

    /** The layout new records are written in. */
    public static RecordCodec current() {
        return RecordCodecV2.INSTANCE;
    }

    public static ByteBuffer allocate(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    static ByteBuffer wrap(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    // ---- the layout: what each version defines ----

    /** The format version a data file written with this codec carries in its header. */
    public abstract int formatVersion();

    /** The longest header this layout can have: enough bytes to decode any record's length. */
    public abstract int maxHeaderSize();

    /** The header's size for a record of these sizes: the bytes before the key. */
    abstract int headerSize(int keySize, long valueSize, long expiry, boolean tombstone);

    /** Writes a header with a zero CRC at {@code out}'s position. */
    abstract void writeHeader(ByteBuffer out, long timestamp, long expiry, int keySize, int valueSize, boolean tombstone);

    /**
     * The length the record at {@code at} claims, {@link #INCOMPLETE} if its header does not end
     * before {@code limit}, or {@link #INVALID} if the header is impossible. The one decode of a
     * record's length.
     */
    public abstract long claimedLength(ByteBuffer buf, int at, int limit);

    /** The size of the header of the record at {@code at} (whose header is whole): where its key starts. */
    abstract int headerLength(ByteBuffer buf, int at);

    public abstract long timestamp(ByteBuffer buf, int at);

    public abstract long expiry(ByteBuffer buf, int at);

    public abstract int keySize(ByteBuffer buf, int at);

    public abstract boolean isTombstone(ByteBuffer buf, int at);

    /** The value's size of a put record (not for tombstones or control records). */
    public abstract int valueSize(ByteBuffer buf, int at);

    // ---- sizes and positions ----

    public final int putSize(int keySize, int valueSize, long expiry) {
        return headerSize(keySize, valueSize, expiry, false) + keySize + valueSize;
    }

    public final int tombstoneSize(int keySize) {
        return headerSize(keySize, 0, 0, true) + keySize;
    }

    final int controlSize() {
        return headerSize(0, CONTROL_PAYLOAD_SIZE, 0, false) + CONTROL_PAYLOAD_SIZE;
    }

    /** Where a put record whose value is at {@code valuePosition} (in a file or a buffer) starts. */
    public final long recordOffset(long valuePosition, int keySize, int valueSize, long expiry) {
        return valuePosition - headerSize(keySize, valueSize, expiry, false) - keySize;
    }

    /** Where the value of the record at {@code at} starts, counted from the record's start (for a tombstone: its length). */
    public final int valueOffset(ByteBuffer buf, int at) {
        return headerLength(buf, at) + keySize(buf, at);
    }

    // ---- encoding ----

    /** Appends a put record at {@code out}'s position (which must be a little-endian buffer). */
    final void encodePut(ByteBuffer out, long timestamp, long expiry, byte[] key, byte[] value) {
        int start = out.position();
        writeHeader(out, timestamp, expiry, key.length, value.length, false);
        out.put(key).put(value);
        sealCrc(out, start);
    }

    final void encodeTombstone(ByteBuffer out, long timestamp, byte[] key) {
        int start = out.position();
        writeHeader(out, timestamp, 0, key.length, 0, true);
        out.put(key);
        sealCrc(out, start);
    }

    final void encodeControl(ByteBuffer out, long timestamp, byte type, int count) {
        int start = out.position();
        writeHeader(out, timestamp, 0, 0, CONTROL_PAYLOAD_SIZE, false);
        out.put(type).putInt(count);
        sealCrc(out, start);
    }

    private static void sealCrc(ByteBuffer out, int start) {
        out.putInt(start, crc(out, start + CRC_SIZE, out.position() - start - CRC_SIZE));
    }

    /**
     * The CRC of {@code length} bytes at {@code from}. A heap buffer (a read's scratch) is summed
     * straight from its array; any other by narrowing its own position and limit for the call (then
     * restoring them) rather than through a slice: a get checks one record, and the slice was an
     * allocation per get. The {@code CRC32} is a new one each time: it is one int, which the JIT
     * keeps in a register, and a thread-local one cost a lookup per record (5% of a batched read).
     */
    private static int crc(ByteBuffer buf, int from, int length) {
        if (buf.hasArray()) return crc(buf.array(), buf.arrayOffset() + from, length);
        CRC32 crc = new CRC32();
        int position = buf.position();
        int limit = buf.limit();
        buf.limit(from + length).position(from);
        crc.update(buf);
        buf.limit(limit).position(position);
        return (int) crc.getValue();
    }

    // ---- decoding ----

    /**
     * Checks the record that starts at {@code at} in {@code buf}, whose valid bytes end at
     * {@code limit}.
     *
     * @return the record's length, or {@link #INCOMPLETE} if the bytes end first, or
     *     {@link #INVALID} if its header is impossible or its CRC does not match
     */
    public final int check(ByteBuffer buf, int at, int limit) {
        long length = claimedLength(buf, at, limit);
        if (length < 0) return (int) length;
        if (limit - at < length) return INCOMPLETE;
        if (buf.getInt(at) != crc(buf, at + CRC_SIZE, (int) length - CRC_SIZE)) return INVALID;
        if (isControl(buf, at) && !validControl(controlType(buf, at))) return INVALID;
        return (int) length;
    }

    /**
     * Whether {@code buf}'s {@code length} bytes from 0 are exactly the put of {@code key} with a
     * value of {@code valueSize} bytes and this expiry, whole: what a read checks ({@link #check}
     * finds a valid record of this length, not a tombstone, with this key, value size and expiry).
     * A record in a heap buffer (a read's scratch) goes to {@link #isPutRecord(byte[], int, int,
     * byte[], int, long)}, which a format may answer faster, from what the keydir already knows.
     */
    final boolean isPutRecord(ByteBuffer buf, int length, byte[] key, int valueSize, long expiry) {
        if (buf.hasArray() && buf.limit() == length) return isPutRecord(buf.array(), buf.arrayOffset(), length, key, valueSize, expiry);
        return isPutRecord(buf, 0, length, key, valueSize, expiry);
    }

    /** As {@link #isPutRecord(ByteBuffer, int, byte[], int, long)}, for the {@code length} bytes of {@code b} from {@code from}. */
    boolean isPutRecord(byte[] b, int from, int length, byte[] key, int valueSize, long expiry) {
        return isPutRecord(wrap(b), from, length, key, valueSize, expiry);
    }

    private boolean isPutRecord(ByteBuffer buf, int at, int length, byte[] key, int valueSize, long expiry) {
        return check(buf, at, at + length) == length && !isTombstone(buf, at) && hasKey(buf, at, key)
                && valueSize(buf, at) == valueSize && expiry(buf, at) == expiry;
    }

    /** The CRC of {@code length} bytes of {@code b} from {@code from}. */
    static int crc(byte[] b, int from, int length) {
        CRC32 crc = new CRC32();
        crc.update(b, from, length);
        return (int) crc.getValue();
    }

    /** The CRC a record's header stores (over every byte after it). */
    static int storedCrc(ByteBuffer buf, int at) {
        return buf.getInt(at);
    }

    private static boolean validControl(byte type) {
        return type == CONTROL_BATCH_BEGIN || type == CONTROL_BATCH_COMMIT;
    }

    public final boolean isControl(ByteBuffer buf, int at) {
        return keySize(buf, at) == 0;
    }

    public final byte[] key(ByteBuffer buf, int at) {
        byte[] key = new byte[keySize(buf, at)];
        buf.get(at + headerLength(buf, at), key);
        return key;
    }

    /** Whether the record at {@code at} has exactly this key. */
    public final boolean hasKey(ByteBuffer buf, int at, byte[] key) {
        if (keySize(buf, at) != key.length) return false;
        int from = at + headerLength(buf, at);
        if (buf.hasArray()) { // a heap buffer (a read's scratch): one vectorized compare
            int start = buf.arrayOffset() + from;
            return start + key.length <= buf.arrayOffset() + buf.limit()
                    && java.util.Arrays.equals(buf.array(), start, start + key.length, key, 0, key.length);
        }
        for (int i = 0; i < key.length; i++) {
            if (buf.get(from + i) != key[i]) return false; // no slice and no wrap: nothing allocated per get
        }
        return true;
    }

    private byte controlType(ByteBuffer buf, int at) {
        return buf.get(at + headerLength(buf, at));
    }

    /** Whether the control record at {@code at} opens a batch. */
    public final boolean isBatchBegin(ByteBuffer buf, int at) {
        return isControl(buf, at) && controlType(buf, at) == CONTROL_BATCH_BEGIN;
    }

    public final boolean isBatchCommit(ByteBuffer buf, int at) {
        return isControl(buf, at) && controlType(buf, at) == CONTROL_BATCH_COMMIT;
    }

    /** The number of records a batch's begin or commit record counts. */
    public final int batchCount(ByteBuffer buf, int at) {
        return buf.getInt(at + headerLength(buf, at) + 1);
    }
}

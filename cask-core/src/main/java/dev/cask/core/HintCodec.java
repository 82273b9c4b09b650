package dev.cask.core;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * The hint-file format, and the only code that knows it. A hint file lists, for each record of
 * one sealed data segment in order, what the keydir needs, so that open need not read values.
 *
 * <pre>
 * entry:   crc u32 | timestamp i64 | expiry i64 | keySize u16 | valueSize u32 | valuePosition u32 | key
 * trailer: crc u32 | 0 i64         | dataSize i64 | 0 u16     | entryCount u32 | 0 u32
 * </pre>
 *
 * Little-endian. Each entry carries its own CRC-32 over its bytes after the CRC field (so a damaged
 * hint is found at the damaged entry, and the scan fallback starts at once). A tombstone's
 * valueSize is 0xFFFFFFFF. The trailer (keySize 0) must be last, count every entry, and name the
 * data file's exact size: a hint for a data file that changed since is never trusted.
 */
final class HintCodec {
    static final int HEADER_SIZE = 30;
    static final String SUFFIX = ".hint";

    private static final ThreadLocal<CRC32> CRC = ThreadLocal.withInitial(CRC32::new);

    private HintCodec() {}

    static int entrySize(int keySize) {
        return HEADER_SIZE + keySize;
    }

    static void encodeEntry(ByteBuffer out, long timestamp, long expiry, byte[] key, long valueSize, long valuePosition) {
        int start = out.position();
        out.putInt(0).putLong(timestamp).putLong(expiry).putShort((short) key.length).putInt((int) valueSize).putInt((int) valuePosition).put(key);
        seal(out, start);
    }

    static void encodeTrailer(ByteBuffer out, long dataSize, int entries) {
        int start = out.position();
        out.putInt(0).putLong(0).putLong(dataSize).putShort((short) 0).putInt(entries).putInt(0);
        seal(out, start);
    }

    private static void seal(ByteBuffer out, int start) {
        CRC32 crc = CRC.get();
        crc.reset();
        crc.update(out.slice(start + 4, out.position() - start - 4));
        out.putInt(start, (int) crc.getValue());
    }

    /** Result of {@link #check}: the bytes up to the limit end inside the entry. */
    static final int INCOMPLETE = -1;
    /** Result of {@link #check}: the entry is whole and fails its CRC. */
    static final int INVALID = -2;

    /** The entry length at {@code at}, or {@link #INCOMPLETE} or {@link #INVALID}. */
    static int check(ByteBuffer buf, int at, int limit) {
        if (limit - at < HEADER_SIZE) return INCOMPLETE;
        int length = HEADER_SIZE + keySize(buf, at);
        if (limit - at < length) return INCOMPLETE;
        CRC32 crc = CRC.get();
        crc.reset();
        crc.update(buf.slice(at + 4, length - 4));
        return buf.getInt(at) == (int) crc.getValue() ? length : INVALID;
    }

    static long timestamp(ByteBuffer buf, int at) {
        return buf.getLong(at + 4);
    }

    static long expiry(ByteBuffer buf, int at) {
        return buf.getLong(at + 12);
    }

    static int keySize(ByteBuffer buf, int at) {
        return Short.toUnsignedInt(buf.getShort(at + 20));
    }

    static long valueSize(ByteBuffer buf, int at) {
        return Integer.toUnsignedLong(buf.getInt(at + 22));
    }

    static long valuePosition(ByteBuffer buf, int at) {
        return Integer.toUnsignedLong(buf.getInt(at + 26));
    }

    static boolean isTrailer(ByteBuffer buf, int at) {
        return keySize(buf, at) == 0;
    }

    /** For a trailer: the data file size it was written for (kept in the expiry field). */
    static long trailerDataSize(ByteBuffer buf, int at) {
        return expiry(buf, at);
    }

    static int trailerCount(ByteBuffer buf, int at) {
        return (int) valueSize(buf, at);
    }

    static byte[] key(ByteBuffer buf, int at) {
        byte[] key = new byte[keySize(buf, at)];
        buf.get(at + HEADER_SIZE, key);
        return key;
    }
}

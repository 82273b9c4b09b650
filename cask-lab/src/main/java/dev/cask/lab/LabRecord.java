package dev.cask.lab;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;

/**
 * A numbered, checksummed record of the lab's raw writer: {@code u64 sequence | u32 crc |
 * payload}, little-endian, fixed size; the CRC-32 covers the sequence and the payload. A record
 * is valid only if it is whole, its CRC matches, and its sequence number equals its position.
 */
public final class LabRecord {
    public static final int HEADER = 12;
    public static final int MIN_SIZE = 64;

    private LabRecord() {}

    /** Fills {@code buf} (its whole capacity, which is the record size) with record {@code seq}. */
    public static void encode(ByteBuffer buf, long seq) {
        buf.clear().order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(0, seq);
        for (int i = HEADER; i + 8 <= buf.capacity(); i += 8) buf.putLong(i, seq * 0x9E3779B97F4A7C15L + i);
        buf.putInt(8, crc(buf));
    }

    public static boolean valid(ByteBuffer buf, long expectedSeq) {
        buf.order(ByteOrder.LITTLE_ENDIAN);
        return buf.getLong(0) == expectedSeq && buf.getInt(8) == crc(buf);
    }

    private static int crc(ByteBuffer buf) {
        CRC32 crc = new CRC32();
        crc.update(buf.slice(0, 8));
        crc.update(buf.slice(HEADER, buf.capacity() - HEADER));
        return (int) crc.getValue();
    }
}

package dev.cask.core;

/**
 * Where the newest version of a key lives: its segment, the position and size of its value,
 * and the record's timestamp and expiry (milliseconds since the epoch, 0 = never).
 */
public record KeyDirEntry(int segmentId, long valuePosition, int valueSize, long timestamp, long expiry) {

    /** The record's first byte. */
    long recordPosition(int keySize) {
        return valuePosition - RecordCodec.HEADER_SIZE - keySize;
    }

    int recordLength(int keySize) {
        return RecordCodec.putSize(keySize, valueSize);
    }

    boolean expiredAt(long nowMillis) {
        return expiry != 0 && expiry <= nowMillis;
    }
}

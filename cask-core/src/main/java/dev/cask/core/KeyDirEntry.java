package dev.cask.core;

/**
 * Where the newest version of a key lives: its segment, the position and size of its value,
 * and its expiry (milliseconds since the epoch, 0 = never). The record's timestamp is not kept in
 * memory (it would cost 8 bytes a key); {@link Cask#metadata} reads it from the record.
 */
public record KeyDirEntry(int segmentId, long valuePosition, int valueSize, long expiry) {

    boolean expiredAt(long nowMillis) {
        return expiry != 0 && expiry <= nowMillis;
    }
}

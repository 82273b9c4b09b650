package dev.cask.core;

import java.util.Collection;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The keydir together with the segments it points into, kept consistent: every change of a
 * key's newest version moves its record's bytes from live to dead in the segment that held it.
 * Mutations happen under the database's write lock (or during open); lookups are lock-free.
 */
final class Index {
    final KeyDir keyDir = new KeyDir();
    private final ConcurrentSkipListMap<Integer, Segment> segments = new ConcurrentSkipListMap<>();

    void addSegment(Segment segment) {
        segments.put(segment.id, segment);
    }

    Segment segment(int id) {
        return segments.get(id);
    }

    Collection<Segment> segments() {
        return segments.values();
    }

    void removeSegment(int id) {
        segments.remove(id);
    }

    /** Removes the key if it still points at {@code segmentId}/{@code valuePosition} (an expired record merge dropped). */
    void removeIfAt(byte[] key, int segmentId, long valuePosition) {
        KeyDirEntry current = keyDir.get(key);
        if (current != null && current.segmentId() == segmentId && current.valuePosition() == valuePosition) applyDelete(key);
    }

    Segment newest() {
        return segments.lastEntry().getValue();
    }

    /** Makes {@code entry} (a record of {@code recordLength} bytes in {@code segment}) the key's newest version. */
    KeyDirEntry applyPut(byte[] key, KeyDirEntry entry, Segment segment, int recordLength) {
        KeyDirEntry old = keyDir.put(key, entry);
        segment.liveBytes += recordLength;
        release(key, old);
        return old;
    }

    /** Removes the key (a tombstone was written); returns the entry it had, or null. */
    KeyDirEntry applyDelete(byte[] key) {
        KeyDirEntry old = keyDir.remove(key);
        release(key, old);
        return old;
    }

    private void release(byte[] key, KeyDirEntry old) {
        if (old == null) return;
        Segment holder = segments.get(old.segmentId());
        if (holder != null) holder.liveBytes -= old.recordLength(key.length);
    }
}

package dev.cask.core;

import java.util.Collection;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The keydir together with the segments it points into, kept consistent: every change of a
 * key's newest version moves its record's bytes from live to dead in the segment that held it.
 * Mutations happen under the database's write lock (or during open); lookups are optimistic reads
 * of the keydir that take its read lock only after a few tries lose to a writer (see {@link KeyDir}).
 */
final class Index {
    final KeyDir keyDir = new KeyDir();
    private final ConcurrentSkipListMap<Integer, Segment> segments = new ConcurrentSkipListMap<>();
    /**
     * The record bytes of the live keys that carry an expiry, kept as keys change: with none (the
     * usual case) nothing walks the keydir to count expired keys, and they bound what expiry can
     * add to a merge's dead bytes (see {@link Merges#runIfWorthIt}).
     */
    private final AtomicLong bytesWithExpiry = new AtomicLong();

    /** Adds a segment; its keydir slot is taken now, so a segment the keydir cannot index is refused before any write to it. */
    void addSegment(Segment segment) {
        keyDir.registerSegment(segment.id);
        segments.put(segment.id, segment);
        putById(segment.id, segment);
    }

    /** The segment of {@code id}, or null: an array index, not a map's (a boxed id and a skip-list walk on every get). */
    Segment segment(int id) {
        SegmentsById table = byId;
        int at = id - table.firstId;
        return at >= 0 && at < table.segments.length ? table.segments[at] : null;
    }

    /** Ids from {@code firstId} on, to their segments: replaced whole when segments come and go, read without a lock. */
    private record SegmentsById(int firstId, Segment[] segments) {}

    private volatile SegmentsById byId = new SegmentsById(0, new Segment[0]);

    /**
     * Sets the slot of {@code id} (null: removed). Ids are dense enough for an array: they only
     * grow, and a merge's gap is its inputs' count plus two. The array keeps spare room ahead, so
     * a rotation writes one slot; the volatile write after it publishes the slot to readers.
     */
    private synchronized void putById(int id, Segment segment) {
        SegmentsById table = byId;
        int at = id - table.firstId;
        if (at >= 0 && at < table.segments.length) {
            table.segments[at] = segment;
            byId = table;
            return;
        }
        if (segments.isEmpty()) return;
        int first = segments.firstKey();
        Segment[] grown = new Segment[Math.max(16, 2 * (segments.lastKey() - first + 1))];
        for (Segment s : segments.values()) grown[s.id - first] = s;
        byId = new SegmentsById(first, grown);
    }

    Collection<Segment> segments() {
        return segments.values();
    }

    void removeSegment(int id) {
        segments.remove(id);
        putById(id, null);
        keyDir.releaseSegment(id);
    }

    /** Counts a key a merge moved to {@code to}: a record of {@code fromLength} bytes is now one of {@code toLength}. */
    void moved(KeyDirEntry to, int fromLength, int toLength) {
        segments.get(to.segmentId()).liveBytes += toLength;
        if (to.expiry() != 0) bytesWithExpiry.addAndGet(toLength - fromLength); // a layout change moves an expiring key's byte count
    }

    /** Removes the key if it still points at {@code segmentId}/{@code valuePosition} (an expired record merge dropped). */
    void removeIfAt(byte[] key, int segmentId, long valuePosition) {
        KeyDirEntry current = keyDir.get(key);
        if (current != null && current.segmentId() == segmentId && current.valuePosition() == valuePosition) {
            applyDelete(key);
            expiredKeysRemoved.incrementAndGet();
        }
    }

    /**
     * Keys removed since open because they had expired: dropped by a merge, or replaced or deleted
     * by a write that found them expired (Redis's expired_keys, counted when the key goes rather
     * than when its time passes).
     */
    final java.util.concurrent.atomic.AtomicLong expiredKeysRemoved = new java.util.concurrent.atomic.AtomicLong();

    Segment newest() {
        return segments.lastEntry().getValue();
    }

    /** Makes {@code entry} (a record of {@code recordLength} bytes in {@code segment}) the key's newest version. */
    KeyDirEntry applyPut(byte[] key, KeyDirEntry entry, Segment segment, int recordLength) {
        return applyPut(key, KeyDir.hash(key), entry, segment, recordLength);
    }

    private KeyDirEntry applyPut(byte[] key, long hash, KeyDirEntry entry, Segment segment, int recordLength) {
        KeyDirEntry old = keyDir.put(key, hash, entry);
        segment.liveBytes += recordLength;
        if (entry.expiry() != 0) bytesWithExpiry.addAndGet(recordLength);
        release(key, old);
        return old;
    }

    /** Removes the key (a tombstone was written); returns the entry it had, or null. */
    KeyDirEntry applyDelete(byte[] key) {
        return applyDelete(key, KeyDir.hash(key));
    }

    private KeyDirEntry applyDelete(byte[] key, long hash) {
        KeyDirEntry old = keyDir.remove(key, hash);
        release(key, old);
        return old;
    }

    /**
     * Puts and deletes applied at open in groups of 32. Loading ten million keys one at a time
     * spent 79% of its time waiting for the keydir's table (213 MB, probed at random): each probe
     * missed the cache, one after another. So each group first reads the home slot of all its keys
     * (independent loads the CPU overlaps), then applies them in order, hitting cache.
     */
    final class BulkLoad {
        private static final int GROUP = 32;
        private final byte[][] keys = new byte[GROUP][];
        private final long[] hashes = new long[GROUP];
        private final KeyDirEntry[] entries = new KeyDirEntry[GROUP];
        private final Segment[] holders = new Segment[GROUP];
        private final int[] lengths = new int[GROUP];
        private int size;
        /** Where the prefetching reads go, so that the JIT cannot drop them. */
        long sink;

        void put(byte[] key, KeyDirEntry entry, Segment segment, int recordLength) {
            add(key, KeyDir.hash(key), entry, segment, recordLength);
        }

        /** As {@link #put(byte[], KeyDirEntry, Segment, int)}, with the key's {@link KeyDir#hash} computed already (by a hint decoder). */
        void put(byte[] key, long hash, KeyDirEntry entry, Segment segment, int recordLength) {
            add(key, hash, entry, segment, recordLength);
        }

        void delete(byte[] key) {
            add(key, KeyDir.hash(key), null, null, 0);
        }

        void delete(byte[] key, long hash) {
            add(key, hash, null, null, 0);
        }

        private void add(byte[] key, long hash, KeyDirEntry entry, Segment segment, int recordLength) {
            keys[size] = key;
            hashes[size] = hash;
            entries[size] = entry;
            holders[size] = segment;
            lengths[size] = recordLength;
            if (++size == GROUP) flush();
        }

        void flush() {
            long touched = 0;
            for (int i = 0; i < size; i++) touched ^= keyDir.homeWord(hashes[i]);
            sink ^= touched;
            for (int i = 0; i < size; i++) {
                if (entries[i] == null) applyDelete(keys[i], hashes[i]);
                else applyPut(keys[i], hashes[i], entries[i], holders[i], lengths[i]);
                keys[i] = null;
                entries[i] = null;
                holders[i] = null;
            }
            size = 0;
        }
    }

    private void release(byte[] key, KeyDirEntry old) {
        if (old == null) return;
        Segment holder = segments.get(old.segmentId());
        if (holder == null) return; // retired by a merge, whose switch already moved its bytes
        int length = holder.recordLength(key.length, old);
        holder.liveBytes -= length;
        if (old.expiry() != 0) bytesWithExpiry.addAndGet(-length);
    }

    /**
     * Expired keys and their record bytes: a walk of the whole keydir, in the keydir's own slices
     * (writers go on between them), so the caller must not hold the write lock across it.
     */
    long[] expired(long now) {
        long[] expired = new long[2];
        if (bytesWithExpiry.get() == 0) return expired; // no key carries an expiry: no walk
        keyDir.forEach((key, entry) -> {
            if (entry.expiredAt(now)) {
                expired[0]++;
                Segment holder = segments.get(entry.segmentId());
                expired[1] += holder == null ? RecordCodec.current().putSize(key.length, entry.valueSize(), entry.expiry())
                        : holder.recordLength(key.length, entry);
            }
        });
        return expired;
    }

    /** The record bytes of every live key that carries an expiry: at least the bytes of the expired ones. */
    long bytesWithExpiry() {
        return bytesWithExpiry.get();
    }

    /** Keys, the {@code expired} counts given, and bytes per segment. The caller holds the write lock: this walks segments only. */
    CaskStats stats(long[] expired, Segment active, String policy, java.util.List<String> foreignFiles) {
        java.util.List<SegmentStats> stats = new java.util.ArrayList<>();
        long live = 0;
        long dead = 0;
        for (Segment s : segments.values()) {
            SegmentStats one = new SegmentStats(s.id, s.path.getFileName().toString(), s.size, s.firstRecord, s.liveBytes, s == active);
            stats.add(one);
            live += one.liveBytes();
            dead += one.deadBytes();
        }
        double fragmentation = live + dead == 0 ? 0 : (double) dead / (live + dead);
        return new CaskStats(keyDir.size(), expired[0], expired[1], live, dead, fragmentation, policy, java.util.List.copyOf(stats), foreignFiles);
    }
}

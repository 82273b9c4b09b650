package dev.cask.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.locks.StampedLock;

/**
 * The in-memory map from every key to where its newest version lives, packed to cost about
 * 20–27 bytes per key beyond the key's own bytes (Basho's keydir costs about 91).
 *
 * <p>Layout: one open-addressing table ({@code long[]}, linear probing, load 0.68–0.85, grown
 * by 1.25x) of two longs per slot:
 * <pre>
 *   slot word 0: keyRef (32 bits) | segment slot (24 bits) | hash fingerprint (8 bits); 0 = empty
 *   slot word 1: valuePosition (32 bits, unsigned) | valueSize (32 bits)
 * </pre>
 * and a key arena of ~512 KiB {@code byte[]} pages holding, per key, {@code u16 length, u8 flags,
 * key bytes, [u64 expiry if flags bit 0]}; flags bit 1 is set on every record (a zero flags byte
 * ends a page's records) and bit 2 once the record's key was removed or moved. The record
 * timestamp is not kept in memory: it stays in the record and the hint file. Arena space of
 * deleted keys is reclaimed by compaction once it is more than half of the arena.
 *
 * <p>{@link #forEachKey} walks the arena, not the table: in order of memory, and so in the order
 * the keys were first put (the log's order at open), where the table's order is the hashes' and
 * each key a cache miss. Keys written together (a collection's elements) come together.
 *
 * <p>Segment slots: the table holds a dense slot number, not the segment id, and a small array
 * maps slots to ids. Ids only grow (each merge takes the inputs' count plus two), so 24 bits of id
 * would run out in the life of a busy database; slots are reused once a segment is removed, and
 * 2^24 - 1 segments alive at once is far more than the mappings a process may hold.
 *
 * <p>Concurrency: one writer at a time (the database's write lock), any number of readers.
 * Readers are optimistic ({@link StampedLock#tryOptimisticRead}): they take the read lock only
 * after several writes raced with them, because a reader holding it makes the writer wait.
 */
final class KeyDir {
    private static final int PAGE_BITS = 19;
    private static final int PAGE_SIZE = 1 << PAGE_BITS;
    /**
     * Each page array is a little under 512 KiB: G1 stores an array of half a region or more
     * ("humongous") in whole regions of its own, and regions are at least 1 MiB, so a page of
     * exactly a power of two plus the array header would waste up to half its memory.
     */
    private static final int PAGE_USABLE = PAGE_SIZE - 64;
    private static final int ARENA_HEADER = 3;
    private static final byte HAS_EXPIRY = 1;
    /** On every arena record: the page's records end at the first flags byte without it. */
    private static final byte PRESENT = 2;
    /** On an arena record whose key was removed, or moved to a record with room for an expiry. */
    private static final byte DEAD = 4;
    private static final double MAX_LOAD = 0.85;
    private static final double GROWTH = 1.25;
    private static final double TARGET_LOAD = 0.75;
    /** What one expected key costs in the table when it is sized for it: 16 bytes a slot at the target load. */
    static final long BYTES_PER_SLOT_AT_TARGET_LOAD = 22;
    /** The most segments alive at once (slot 0 is never used). */
    static final int MAX_SEGMENT_SLOTS = (1 << 24) - 1;
    private static final long SLOT_MASK = MAX_SEGMENT_SLOTS;
    /**
     * Optimistic tries before a reader takes the read lock. A reader holding it makes the writer
     * wait, and a merge looks up every record it reads while puts go on: taking the read lock after
     * one failed try made a put's keydir update the slowest part of its p99 during a merge.
     */
    private static final int OPTIMISTIC_ATTEMPTS = 8;
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final StampedLock lock = new StampedLock();
    /** Slot to segment id (0: free); replaced, never changed in place while it may be read, when it grows. */
    private volatile int[] slotToId = new int[64];
    /** Segment id to slot; the writer's alone. */
    private final java.util.HashMap<Integer, Integer> idToSlot = new java.util.HashMap<>();
    /** The last segment {@link #slotFor} resolved, and its slot (-1: none): puts come in runs to one segment. */
    private int lastId = -1;
    private int lastSlot = -1;
    private final java.util.ArrayDeque<Integer> freeSlots = new java.util.ArrayDeque<>();
    private int nextSlot = 1;
    private long[] table;
    private int capacity;
    private int size;
    private byte[][] pages = new byte[1][];
    private long arenaEnd;
    private long arenaGarbage;
    /** Counts the arena's rewrites ({@link #maybeCompactArena}, {@link #clear}): a walk's position is only good within one. */
    private long arenaEpoch;

    KeyDir() {
        clear();
    }

    // ---- reads ----

    KeyDirEntry get(byte[] key) {
        long hash = hash(key);
        for (int attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
            long stamp = lock.tryOptimisticRead();
            if (stamp == 0) {
                Thread.onSpinWait(); // a write is under way: it takes a fraction of a microsecond
                continue;
            }
            try {
                KeyDirEntry entry = lookup(key, hash);
                if (lock.validate(stamp)) return entry;
            } catch (RuntimeException raced) {
                // a writer moved things under us; try again
            }
        }
        long stamp = lock.readLock();
        try {
            return lookup(key, hash);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /**
     * As {@link #get(byte[])}, into {@code out} (segment id, value position, value size, expiry)
     * rather than a new entry: a get allocates nothing here. False if the key is absent.
     */
    boolean get(byte[] key, long[] out) {
        long hash = hash(key);
        for (int attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
            long stamp = lock.tryOptimisticRead();
            if (stamp == 0) {
                Thread.onSpinWait();
                continue;
            }
            try {
                boolean found = lookup(key, hash, out);
                if (lock.validate(stamp)) return found;
            } catch (RuntimeException raced) {
                // a writer moved things under us; try again
            }
        }
        long stamp = lock.readLock();
        try {
            return lookup(key, hash, out);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /**
     * As {@link #get(byte[], long[])} for {@code keys[0..n)}, into {@code out} (four longs a key,
     * the segment id -1 where the key is absent); {@code hashes} is scratch of at least n. The home
     * slots of every key, then their arena entries, are read first, each pass one independent load
     * a key: their cache misses overlap, where n single lookups wait for one miss after another (an
     * LRANGE of 300 spent most of its time in those waits).
     */
    void getAll(byte[][] keys, int n, long[] hashes, long[] out) {
        for (int i = 0; i < n; i++) hashes[i] = hash(keys[i]);
        for (int attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
            long stamp = lock.tryOptimisticRead();
            if (stamp == 0) {
                Thread.onSpinWait();
                continue;
            }
            try {
                lookupAll(keys, n, hashes, out);
                if (lock.validate(stamp)) return;
            } catch (RuntimeException raced) {
                // a writer moved things under us; try again
            }
        }
        long stamp = lock.readLock();
        try {
            lookupAll(keys, n, hashes, out);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    private void lookupAll(byte[][] keys, int n, long[] hashes, long[] out) {
        long[] t = table;
        int cap = t.length / 2;
        byte[][] arena = pages;
        // the first two passes only load (kept in out, which the last pass overwrites, so that the loads stay)
        for (int i = 0; i < n; i++) out[4 * i] = t[2 * home(hashes[i], cap)];
        for (int i = 0; i < n; i++) {
            long ref = out[4 * i] >>> 32;
            if (ref != 0) out[4 * i + 1] = arena[(int) (ref >>> PAGE_BITS)][(int) (ref & (PAGE_SIZE - 1))];
        }
        for (int i = 0; i < n; i++) {
            int slot = find(t, cap, keys[i], hashes[i]);
            if (slot < 0) {
                out[4 * i] = -1;
                continue;
            }
            long w0 = t[2 * slot];
            long w1 = t[2 * slot + 1];
            out[4 * i] = segmentIdOf(w0);
            out[4 * i + 1] = w1 >>> 32;
            out[4 * i + 2] = (int) w1;
            out[4 * i + 3] = expiryAt(w0 >>> 32);
        }
    }

    private boolean lookup(byte[] key, long hash, long[] out) {
        long[] t = table;
        int cap = t.length / 2;
        int slot = find(t, cap, key, hash);
        if (slot < 0) return false;
        long w0 = t[2 * slot];
        long w1 = t[2 * slot + 1];
        out[0] = segmentIdOf(w0);
        out[1] = w1 >>> 32;
        out[2] = (int) w1;
        out[3] = expiryAt(w0 >>> 32);
        return true;
    }

    private KeyDirEntry lookup(byte[] key, long hash) {
        long[] t = table;
        int cap = t.length / 2; // from the array itself: a racing resize may have changed the field already
        int slot = find(t, cap, key, hash);
        if (slot < 0) return null;
        long w0 = t[2 * slot];
        long w1 = t[2 * slot + 1];
        long ref = w0 >>> 32;
        return new KeyDirEntry(segmentIdOf(w0), w1 >>> 32, (int) w1, expiryAt(ref));
    }

    int size() {
        long stamp = lock.readLock();
        try {
            return size;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /**
     * Visits every key not expired at {@code nowMillis}, keys only: no entry and no array is made
     * per key (a walk of ten million keys at a server's start made twenty million objects). It
     * walks the arena in slices of {@link #WALK_SLICE} records: each slice's keys are copied under
     * the read lock into one reused buffer, then handed to {@code visitor} without it, as ranges
     * of that buffer valid only during the call. The walk goes in the order keys were first put,
     * reading memory in order (a walk by slot is a cache miss per key, and a server's start spent
     * a fifth of its time there). A key put or removed meanwhile may be missed; one present
     * throughout is visited, twice at most (see {@link #forEachKeyBySlot}).
     */
    void forEachKey(long nowMillis, Cask.KeyBytesVisitor visitor) {
        KeySlab slab = new KeySlab();
        long at = 1;
        long epoch = -1; // the arena's epoch when the walk began; -1 until the first slice
        while (true) {
            boolean moved;
            boolean done = false;
            long stamp = lock.readLock();
            try {
                moved = epoch >= 0 && epoch != arenaEpoch; // compacted since the last slice: positions moved
                if (!moved) {
                    epoch = arenaEpoch;
                    at = collectKeys(at, nowMillis, slab);
                    done = at >= arenaEnd;
                }
            } finally {
                lock.unlockRead(stamp);
            }
            if (moved) {
                forEachKeyBySlot(nowMillis, visitor);
                return;
            }
            slab.deliver(visitor);
            if (done) return;
        }
    }

    /**
     * Copies into {@code slab} the live, unexpired keys of up to {@link #WALK_SLICE} arena records
     * from {@code at} on, and returns where the next slice starts. Under the read lock.
     */
    private long collectKeys(long at, long nowMillis, KeySlab slab) {
        int seen = 0;
        while (at < arenaEnd && seen < WALK_SLICE) {
            byte[] page = pages[(int) (at >>> PAGE_BITS)];
            int off = (int) (at & (PAGE_SIZE - 1));
            if (off + ARENA_HEADER > PAGE_USABLE || (page[off + 2] & PRESENT) == 0) { // the rest of the page is unused
                at = ((at >>> PAGE_BITS) + 1) << PAGE_BITS;
                continue;
            }
            int length = keyLength(page, off);
            byte flags = page[off + 2];
            boolean withExpiry = (flags & HAS_EXPIRY) != 0;
            if ((flags & DEAD) == 0) {
                long expiry = withExpiry ? (long) LONG_LE.get(page, off + ARENA_HEADER + length) : 0;
                if (expiry == 0 || expiry > nowMillis) slab.add(page, off + ARENA_HEADER, length);
            }
            seen++;
            at += ARENA_HEADER + length + (withExpiry ? 8 : 0);
        }
        return at;
    }

    /** One slice's keys, back to back in one array reused from slice to slice. */
    private static final class KeySlab {
        private byte[] bytes = new byte[64 << 10];
        private final int[] ends = new int[WALK_SLICE];
        private int count;

        void add(byte[] from, int offset, int length) {
            int start = count == 0 ? 0 : ends[count - 1];
            if (start + length > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(start + length, bytes.length * 2));
            System.arraycopy(from, offset, bytes, start, length);
            ends[count++] = start + length;
        }

        void deliver(Cask.KeyBytesVisitor visitor) {
            int start = 0;
            for (int i = 0; i < count; i++) {
                visitor.visit(bytes, start, ends[i] - start);
                start = ends[i];
            }
            count = 0;
        }
    }

    /**
     * The walk of {@link #forEachKey} in slot order: what is left of an arena walk after a
     * compaction moved its records. A key may be seen twice then, but none present throughout is missed.
     */
    private void forEachKeyBySlot(long nowMillis, Cask.KeyBytesVisitor visitor) {
        java.util.List<byte[]> keys = new java.util.ArrayList<>(WALK_SLICE);
        walkInSlices(slot -> {
            long ref = table[2 * slot] >>> 32;
            long expiry = expiryAt(ref);
            if (expiry == 0 || expiry > nowMillis) keys.add(keyAt(ref));
        }, () -> {
            for (byte[] key : keys) visitor.visit(key, 0, key.length);
            keys.clear();
        });
    }

    /** Visits every entry under the read lock, in slot order. The key array is fresh for each call. */
    void forEach(java.util.function.BiConsumer<byte[], KeyDirEntry> visitor) {
        java.util.List<byte[]> keys = new java.util.ArrayList<>(WALK_SLICE);
        java.util.List<KeyDirEntry> entries = new java.util.ArrayList<>(WALK_SLICE);
        walkInSlices(slot -> {
            long w0 = table[2 * slot];
            long w1 = table[2 * slot + 1];
            long ref = w0 >>> 32;
            keys.add(keyAt(ref));
            entries.add(new KeyDirEntry(segmentIdOf(w0), w1 >>> 32, (int) w1, expiryAt(ref)));
        }, () -> {
            for (int i = 0; i < keys.size(); i++) visitor.accept(keys.get(i), entries.get(i));
            keys.clear();
            entries.clear();
        });
    }

    private static final int WALK_SLICE = 4096;

    /**
     * The walk of {@link #forEach} and {@link #forEachKey}: {@code collect} sees each occupied slot
     * of a slice of {@link #WALK_SLICE} slots under the read lock, then {@code deliver} runs without
     * it. Visiting in slices lets writers in between; an entry moved by a concurrent write may be
     * missed or seen twice.
     */
    private void walkInSlices(java.util.function.IntConsumer collect, Runnable deliver) {
        int from = 0;
        while (true) {
            long stamp = lock.readLock();
            int next;
            try {
                next = Math.min(capacity, from + WALK_SLICE);
                for (int slot = from; slot < next; slot++) {
                    if (table[2 * slot] != 0) collect.accept(slot);
                }
                if (next >= capacity) next = -1;
            } finally {
                lock.unlockRead(stamp);
            }
            deliver.run();
            if (next < 0) return;
            from = next;
        }
    }

    /**
     * Visits the entries whose hash is at least {@code cursor} (unsigned), walking slots from the
     * cursor's home until at least {@code count} were found and a probe run ended, and returns the
     * cursor after them (0 once the table's end was passed). This works because a key's home slot
     * grows with its hash and a key never sits before its home nor past the end of its probe run:
     * so the keys met before an empty slot {@code e} are exactly those whose home is below
     * {@code e}, which are those whose hash is below the first hash with home {@code e}.
     */
    long scan(long cursor, int count, java.util.function.BiConsumer<byte[], KeyDirEntry> visitor) {
        java.util.List<byte[]> keys = new java.util.ArrayList<>();
        java.util.List<KeyDirEntry> entries = new java.util.ArrayList<>();
        java.util.List<Long> homes = new java.util.ArrayList<>();
        long next;
        long stamp = lock.readLock();
        try {
            int cap = capacity;
            long start = home(cursor, cap);
            long end = -1;
            for (long i = start; i < start + 2L * cap; i++) {
                int slot = (int) (i % cap);
                long w0 = table[2 * slot];
                if (w0 == 0) {
                    if (keys.size() >= count || i >= cap) {
                        end = i;
                        break;
                    }
                    continue;
                }
                byte[] key = keyAt(w0 >>> 32);
                long hash = hash(key);
                if (Long.compareUnsigned(hash, cursor) < 0) continue;
                int home = home(hash, cap);
                long linearHome = home <= slot ? i - (slot - home) : i - (slot - home + (long) cap); // the lap the key's home is in
                if (linearHome < start) continue; // wrapped around from the table's end: met again when the walk gets there
                keys.add(key);
                entries.add(entryAt(slot));
                homes.add(linearHome);
            }
            if (end < 0) end = start + 2L * cap; // a full table has no empty slot; cannot happen at load below 1
            final long e = end;
            for (int k = keys.size() - 1; k >= 0; k--) {
                if (homes.get(k) >= e || homes.get(k) >= start + cap) {
                    keys.remove(k);
                    entries.remove(k);
                }
            }
            next = end >= cap ? 0 : firstHashWithHome(end, cap);
        } finally {
            lock.unlockRead(stamp);
        }
        for (int i = 0; i < keys.size(); i++) visitor.accept(keys.get(i), entries.get(i));
        return next;
    }

    /** The smallest hash whose home slot is {@code slot}: ceil(slot * 2^64 / cap). */
    private static long firstHashWithHome(long slot, int cap) {
        return java.math.BigInteger.valueOf(slot).shiftLeft(64).add(java.math.BigInteger.valueOf(cap - 1))
                .divide(java.math.BigInteger.valueOf(cap)).longValue();
    }

    // ---- writes (one writer at a time) ----

    /** Sets the key's entry and returns the one it replaced, or null. */
    KeyDirEntry put(byte[] key, KeyDirEntry entry) {
        return put(key, hash(key), entry);
    }

    /** As {@link #put(byte[], KeyDirEntry)}, with the key's {@link #hash} already computed. */
    KeyDirEntry put(byte[] key, long hash, KeyDirEntry entry) {
        if (entry.segmentId() <= 0) throw new IllegalStateException("segment id " + entry.segmentId() + " is not a segment");
        long stamp = lock.writeLock();
        try {
            int segmentSlot = slotFor(entry.segmentId());
            if (size + 1 > capacity * MAX_LOAD) resize((int) Math.ceil(capacity * GROWTH) + 1);
            int found = find(table, capacity, key, hash);
            int slot = found >= 0 ? found : -found - 1; // one probe finds the key or the free slot where it goes
            KeyDirEntry old = null;
            long ref;
            if (found >= 0) {
                old = entryAt(slot);
                ref = table[2 * slot] >>> 32;
                if (entry.expiry() != 0 && !hasExpirySlot(ref)) {
                    arenaGarbage += arenaRecordSize(ref);
                    markDead(ref);
                    ref = appendKey(key, true);
                }
                if (hasExpirySlot(ref)) setExpiry(ref, entry.expiry());
            } else {
                ref = appendKey(key, entry.expiry() != 0);
                if (entry.expiry() != 0) setExpiry(ref, entry.expiry());
                size++;
            }
            table[2 * slot] = (ref << 32) | ((long) segmentSlot << 8) | fingerprint(hash);
            table[2 * slot + 1] = (entry.valuePosition() << 32) | (entry.valueSize() & 0xffff_ffffL);
            return old;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    KeyDirEntry remove(byte[] key) {
        return remove(key, hash(key));
    }

    KeyDirEntry remove(byte[] key, long hash) {
        long stamp = lock.writeLock();
        try {
            int slot = find(table, capacity, key, hash);
            if (slot < 0) return null;
            KeyDirEntry old = entryAt(slot);
            arenaGarbage += arenaRecordSize(table[2 * slot] >>> 32);
            markDead(table[2 * slot] >>> 32);
            deleteSlot(slot);
            size--;
            maybeCompactArena();
            return old;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** Points the key at {@code replacement} only if it still points at {@code segmentId}/{@code valuePosition}. */
    boolean replaceIf(byte[] key, int segmentId, long valuePosition, KeyDirEntry replacement) {
        KeyDirEntry current = get(key);
        if (current == null || current.segmentId() != segmentId || current.valuePosition() != valuePosition) return false;
        put(key, replacement); // safe: the caller holds the database's write lock, so nothing changed in between
        return true;
    }

    /** Grows the table at once to hold {@code expected} keys at the target load (bulk loads avoid repeated rehashing). */
    void ensureCapacity(long expected) {
        long stamp = lock.writeLock();
        try {
            long wanted = (long) Math.ceil(expected / TARGET_LOAD) + 1;
            if (wanted > capacity) resize((int) Math.min(wanted, Integer.MAX_VALUE / 2 - 8));
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** Shrinks a table that an over-estimate made much larger than its keys need. */
    void trim() {
        long stamp = lock.writeLock();
        try {
            long wanted = Math.max(1024, (long) Math.ceil(size / TARGET_LOAD) + 1);
            if (wanted < capacity * 0.8) resize((int) wanted);
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** Reads the first word of the slot where this hash starts probing: a prefetch for a bulk load (single writer, no lock). */
    long homeWord(long hash) {
        long[] t = table;
        return t[2 * home(hash, t.length / 2)];
    }

    private int segmentIdOf(long w0) {
        return slotToId[(int) ((w0 >>> 8) & SLOT_MASK)];
    }

    /** The slot of segment {@code id}, taken now if it has none (under the write lock); refused when all are in use. */
    private int slotFor(int id) {
        if (id == lastId) return lastSlot;
        Integer slot = idToSlot.get(id);
        if (slot != null) {
            lastId = id;
            lastSlot = slot;
            return slot;
        }
        int taken;
        if (!freeSlots.isEmpty()) {
            taken = freeSlots.poll();
        } else if (nextSlot <= MAX_SEGMENT_SLOTS) {
            taken = nextSlot++;
        } else {
            throw new LimitExceededException(MAX_SEGMENT_SLOTS + " segments are alive at once, the most the keydir can index; merge to"
                    + " reduce them (or raise maxFileSize)");
        }
        int[] map = slotToId;
        if (taken >= map.length) {
            map = Arrays.copyOf(map, Math.max(taken + 1, map.length * 2));
        }
        map[taken] = id;
        slotToId = map;
        idToSlot.put(id, taken);
        return taken;
    }

    /**
     * Gives segment {@code id} a slot before anything is written to it, so that a write that could
     * not be indexed is refused before it is appended.
     */
    void registerSegment(int id) {
        long stamp = lock.writeLock();
        try {
            slotFor(id);
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** Frees the slot of a removed segment (no entry points into it any more) for a later segment. */
    void releaseSegment(int id) {
        long stamp = lock.writeLock();
        try {
            Integer slot = idToSlot.remove(id);
            if (slot == null) return;
            if (lastId == id) lastId = -1;
            int[] map = slotToId.clone(); // a racing optimistic reader keeps the old array; its stamp check fails anyway
            map[slot] = 0;
            slotToId = map;
            freeSlots.add(slot);
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** The slots in use (for tests and stats). */
    int segmentSlotsInUse() {
        long stamp = lock.readLock();
        try {
            return idToSlot.size();
        } finally {
            lock.unlockRead(stamp);
        }
    }

    void clear() {
        long stamp = lock.writeLock();
        try {
            capacity = 1024;
            table = new long[2 * capacity];
            size = 0;
            pages = new byte[][] {new byte[PAGE_USABLE]};
            arenaEnd = 1; // keyRef 0 would make slot word 0 zero, which marks an empty slot
            arenaGarbage = 0;
            arenaEpoch++;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    // ---- the table ----

    /** The key's slot, or {@code -(free slot + 1)} where it would go. */
    private int find(long[] t, int cap, byte[] key, long hash) {
        int slot = home(hash, cap);
        int fp = fingerprint(hash);
        while (true) {
            long w0 = t[2 * slot];
            if (w0 == 0) return -slot - 1;
            if ((int) (w0 & 0xff) == fp && keyEquals(w0 >>> 32, key)) return slot;
            if (++slot == cap) slot = 0;
        }
    }

    private int freeSlot(long hash) {
        int slot = home(hash, capacity);
        while (table[2 * slot] != 0) {
            if (++slot == capacity) slot = 0;
        }
        return slot;
    }

    /** Backward-shift deletion: keeps every probe chain unbroken without tombstones. */
    private void deleteSlot(int hole) {
        int slot = hole;
        while (true) {
            if (++slot == capacity) slot = 0;
            long w0 = table[2 * slot];
            if (w0 == 0) break;
            int home = home(hashAt(w0 >>> 32), capacity);
            // move the entry back into the hole if its home is not between the hole and its slot (cyclically)
            boolean stays = hole <= slot ? home > hole && home <= slot : home > hole || home <= slot;
            if (stays) continue;
            table[2 * hole] = w0;
            table[2 * hole + 1] = table[2 * slot + 1];
            hole = slot;
        }
        table[2 * hole] = 0;
        table[2 * hole + 1] = 0;
    }

    private void resize(int newCapacity) {
        long[] old = table;
        int oldCapacity = capacity;
        table = new long[2 * newCapacity];
        capacity = newCapacity;
        for (int i = 0; i < oldCapacity; i++) {
            long w0 = old[2 * i];
            if (w0 == 0) continue;
            int slot = freeSlot(hashAt(w0 >>> 32)); // the key hashed where it lies: a copy per key made the rehash a third slower
            table[2 * slot] = w0;
            table[2 * slot + 1] = old[2 * i + 1];
        }
    }

    private KeyDirEntry entryAt(int slot) {
        long w0 = table[2 * slot];
        long w1 = table[2 * slot + 1];
        return new KeyDirEntry(segmentIdOf(w0), w1 >>> 32, (int) w1, expiryAt(w0 >>> 32));
    }

    private static int home(long hash, int cap) {
        return (int) Math.unsignedMultiplyHigh(hash, (long) cap);
    }

    private static int fingerprint(long hash) {
        return (int) (hash & 0xff);
    }

    /** A 64-bit hash of the key bytes (8 bytes at a time, multiply-xorshift mixing). */
    static long hash(byte[] key) {
        return hash(key, 0, key.length);
    }

    /** {@link #hash(byte[])} of the {@code length} bytes at {@code from}: of a key in the arena, without copying it out. */
    private static long hash(byte[] bytes, int from, int length) {
        long h = 0x9E3779B97F4A7C15L ^ length;
        int i = from;
        int end = from + length;
        for (; i + 8 <= end; i += 8) h = mix(h ^ (long) LONG_LE.get(bytes, i));
        long tail = 0;
        for (int shift = 0; i < end; i++, shift += 8) tail |= (bytes[i] & 0xffL) << shift;
        return mix(h ^ tail ^ 0xD6E8FEB86659FD93L);
    }

    private long hashAt(long ref) {
        byte[] page = pages[(int) (ref >>> PAGE_BITS)];
        int at = (int) (ref & (PAGE_SIZE - 1));
        return hash(page, at + ARENA_HEADER, keyLength(page, at));
    }

    private static long mix(long h) {
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 31;
        h *= 0x94D049BB133111EBL;
        return h ^ (h >>> 29);
    }

    // ---- the key arena ----

    private long appendKey(byte[] key, boolean withExpiry) {
        int length = ARENA_HEADER + key.length + (withExpiry ? 8 : 0);
        long offset = arenaEnd;
        if ((offset & (PAGE_SIZE - 1)) + length > PAGE_USABLE) offset = ((offset >>> PAGE_BITS) + 1) << PAGE_BITS; // records never straddle pages
        int page = (int) (offset >>> PAGE_BITS);
        if (page >= 1 << (32 - PAGE_BITS)) throw new IllegalStateException("keydir key arena is full (4 GiB of keys)");
        if (page >= pages.length) pages = Arrays.copyOf(pages, page + 1);
        if (pages[page] == null) pages[page] = new byte[PAGE_USABLE];
        byte[] p = pages[page];
        int at = (int) (offset & (PAGE_SIZE - 1));
        p[at] = (byte) key.length;
        p[at + 1] = (byte) (key.length >>> 8);
        p[at + 2] = (byte) (PRESENT | (withExpiry ? HAS_EXPIRY : 0));
        System.arraycopy(key, 0, p, at + ARENA_HEADER, key.length);
        arenaEnd = offset + length;
        return offset;
    }

    private int keyLength(byte[] page, int at) {
        return (page[at] & 0xff) | (page[at + 1] & 0xff) << 8;
    }

    private boolean keyEquals(long ref, byte[] key) {
        byte[] page = pages[(int) (ref >>> PAGE_BITS)];
        int at = (int) (ref & (PAGE_SIZE - 1));
        return keyLength(page, at) == key.length && Arrays.equals(page, at + ARENA_HEADER, at + ARENA_HEADER + key.length, key, 0, key.length);
    }

    private byte[] keyAt(long ref) {
        byte[] page = pages[(int) (ref >>> PAGE_BITS)];
        int at = (int) (ref & (PAGE_SIZE - 1));
        return Arrays.copyOfRange(page, at + ARENA_HEADER, at + ARENA_HEADER + keyLength(page, at));
    }

    private void markDead(long ref) {
        pages[(int) (ref >>> PAGE_BITS)][(int) (ref & (PAGE_SIZE - 1)) + 2] |= DEAD;
    }

    private boolean hasExpirySlot(long ref) {
        return (pages[(int) (ref >>> PAGE_BITS)][(int) (ref & (PAGE_SIZE - 1)) + 2] & HAS_EXPIRY) != 0;
    }

    private long expiryAt(long ref) {
        byte[] page = pages[(int) (ref >>> PAGE_BITS)];
        int at = (int) (ref & (PAGE_SIZE - 1));
        if ((page[at + 2] & HAS_EXPIRY) == 0) return 0;
        return (long) LONG_LE.get(page, at + ARENA_HEADER + keyLength(page, at));
    }

    private void setExpiry(long ref, long expiry) {
        byte[] page = pages[(int) (ref >>> PAGE_BITS)];
        int at = (int) (ref & (PAGE_SIZE - 1));
        LONG_LE.set(page, at + ARENA_HEADER + keyLength(page, at), expiry);
    }

    private int arenaRecordSize(long ref) {
        byte[] page = pages[(int) (ref >>> PAGE_BITS)];
        int at = (int) (ref & (PAGE_SIZE - 1));
        return ARENA_HEADER + keyLength(page, at) + ((page[at + 2] & HAS_EXPIRY) != 0 ? 8 : 0);
    }

    /** Rewrites the arena without the records of deleted keys once they are most of it. */
    private void maybeCompactArena() {
        if (arenaGarbage < 8L * PAGE_SIZE || arenaGarbage * 2 < arenaEnd) return;
        byte[][] oldPages = pages;
        pages = new byte[][] {new byte[PAGE_USABLE]};
        arenaEnd = 1;
        arenaGarbage = 0;
        arenaEpoch++;
        for (int slot = 0; slot < capacity; slot++) {
            long w0 = table[2 * slot];
            if (w0 == 0) continue;
            long ref = w0 >>> 32;
            byte[] page = oldPages[(int) (ref >>> PAGE_BITS)];
            int at = (int) (ref & (PAGE_SIZE - 1));
            boolean withExpiry = (page[at + 2] & HAS_EXPIRY) != 0;
            byte[] key = Arrays.copyOfRange(page, at + ARENA_HEADER, at + ARENA_HEADER + keyLength(page, at));
            long expiry = withExpiry ? (long) LONG_LE.get(page, at + ARENA_HEADER + key.length) : 0;
            long newRef = appendKey(key, withExpiry);
            if (withExpiry) setExpiry(newRef, expiry);
            table[2 * slot] = (newRef << 32) | (w0 & 0xffff_ffffL);
        }
    }
}

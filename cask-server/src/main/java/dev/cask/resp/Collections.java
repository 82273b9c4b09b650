package dev.cask.resp;

import dev.cask.core.Cask;
import dev.cask.core.WriteBatch;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the server keeps in memory about collections ({@link CollectionKeys}): for each hash, set
 * and sorted set its members (so that HKEYS and HGETALL read no keydir but their own), for each
 * list its extent (head and length: a list's elements are positions, nothing to index), which
 * metadata key owns each version, and the versions no metadata owns any more, whose elements the
 * sweeper deletes. Loop thread only; built by two walks of the keydir at start.
 *
 * <p>Members are packed ({@link MemberIndex}): a member costs its own bytes plus about 14. A
 * collection's values stay on disk.
 *
 * <p>The index follows what was written: {@link #applied} is told each batch after the engine
 * took it, so a failed write changes nothing here either.
 */
final class Collections {
    /** Orphaned elements deleted per batch, one batch after each command while any are left. */
    private static final int SWEEP_BATCH = 1_000;
    /** Versions reserved per write of the high-water record. */
    private static final long VERSION_BLOCK = 1 << 20;

    private final Map<Long, MemberIndex> members = new HashMap<>();
    /** A list version's head and length, from its newest metadata; an orphaned one's shrinks as the sweeper deletes its tail. */
    private final Map<Long, long[]> listExtents = new HashMap<>();
    /** Version to the metadata key that names it, and back. */
    private final Map<Long, ByteBuffer> owners = new HashMap<>();
    private final Map<ByteBuffer, Long> versionOf = new HashMap<>();
    private final ArrayDeque<Long> orphans = new ArrayDeque<>();
    /** Sorted sets' members by score, built on first use from the members and their records, then kept up to date. */
    private final Map<Long, Scores> scores = new HashMap<>();
    /** The hot runs of lists' elements, kept equal to the engine's by {@link #applied}. */
    final ListWindows listWindows;
    private long nextVersion;
    private long reservedUpTo;

    Collections(Cask cask, long listCacheBytes) {
        listWindows = new ListWindows(listCacheBytes);
        byte[] reserved = cask.get(CollectionKeys.VERSIONS_KEY);
        reservedUpTo = reserved == null || reserved.length != 8 ? 0 : ByteBuffer.wrap(reserved).getLong();
        nextVersion = reservedUpTo + 1; // past every version a previous run may have handed out
        List<byte[]> metas = new ArrayList<>();
        cask.forEachKey((b, from, length) -> {
            if (CollectionKeys.isMeta(b, from, length)) metas.add(java.util.Arrays.copyOfRange(b, from, from + length));
        });
        for (byte[] key : metas) {
            CollectionKeys.Meta meta = CollectionKeys.decode(cask.get(key));
            if (meta == null) continue;
            own(ByteBuffer.wrap(key), meta.version());
            if (meta.type() == CollectionKeys.Type.LIST) listExtents.put(meta.version(), new long[] {meta.head(), meta.count()});
            else members.putIfAbsent(meta.version(), new MemberIndex(meta.count())); // sized for its count: no regrowth while it fills
        }
        cask.forEachKey(new ElementLoader());
        members.values().removeIf(m -> m.size() == 0); // a count the elements did not bear out
        for (Long version : members.keySet()) if (!owners.containsKey(version)) orphans.add(version);
    }

    /**
     * Adds each element key of the start's walk to its collection's member index. The walk comes
     * in the order the keys were written, so a collection's elements mostly come in a run: the
     * index of the run's version is looked up once, not per element (two boxed lookups in maps of
     * every collection were a tenth of a start).
     */
    private final class ElementLoader implements Cask.KeyBytesVisitor {
        private long version = Long.MIN_VALUE; // no version: each is at least 1
        /** The member index of {@link #version}; null for a list's (its extent says where its elements are). */
        private MemberIndex index;

        @Override
        public void visit(byte[] b, int from, int length) {
            if (!CollectionKeys.isElement(b, from, length)) return;
            long v = CollectionKeys.version(b, from);
            if (v != version) {
                version = v;
                index = listExtents.containsKey(v) ? null : members.computeIfAbsent(v, x -> new MemberIndex());
            }
            if (index != null) index.addDistinct(b, from + CollectionKeys.MEMBER_OFFSET, length - CollectionKeys.MEMBER_OFFSET);
        }
    }

    private void own(ByteBuffer key, long version) {
        owners.put(version, key);
        versionOf.put(key, version);
    }

    /** Whether any collection or element exists: while none does, a plain SET needs no check for one. */
    boolean any() {
        return !members.isEmpty() || !owners.isEmpty() || !listExtents.isEmpty();
    }

    /**
     * A new version for a collection being created; adds the write of a new high-water mark to
     * {@code ks} when the reserved block is used up, so versions never repeat across restarts.
     */
    long newVersion(KeySpace ks) {
        if (nextVersion > reservedUpTo) {
            reservedUpTo = nextVersion + VERSION_BLOCK;
            ks.put(CollectionKeys.VERSIONS_KEY, ByteBuffer.allocate(8).putLong(reservedUpTo).array(), 0);
        }
        return nextVersion++;
    }

    /** The members of hash, set or sorted set {@code version} as the engine holds them (a transaction's own writes not included). */
    MemberIndex members(long version) {
        MemberIndex m = members.get(version);
        return m == null ? MemberIndex.EMPTY : m;
    }

    /**
     * Brings the index up to date with a batch the engine took: its metadata first, so that an
     * element of a list created in the same batch is known as a list's.
     */
    void applied(WriteBatch batch) {
        List<Long> released = null; // most batches release nothing: no list for them
        for (WriteBatch.Op op : batch.ops()) {
            byte[] k = op.key();
            if (!CollectionKeys.isMeta(k)) continue;
            CollectionKeys.Meta meta = op.isDelete() ? null : CollectionKeys.decode(op.value());
            if (meta != null && meta.type() == CollectionKeys.Type.LIST) {
                long[] extent = listExtents.get(meta.version());
                if (extent == null) listExtents.put(meta.version(), new long[] {meta.head(), meta.count()});
                else {
                    extent[0] = meta.head();
                    extent[1] = meta.count();
                }
            }
            Long current = versionOf.get(ByteBuffer.wrap(k));
            if (meta != null && current != null && current == meta.version()) continue; // a new count or head: the same owner, nothing to change
            ByteBuffer key = ByteBuffer.wrap(k.clone());
            Long previous = versionOf.remove(key); // the key's previous version, if it had one, is released
            if (previous != null) {
                if (key.equals(owners.get(previous))) owners.remove(previous);
                if (released == null) released = new ArrayList<>();
                released.add(previous);
            }
            if (meta != null) own(key, meta.version());
        }
        for (WriteBatch.Op op : batch.ops()) {
            byte[] k = op.key();
            if (!CollectionKeys.isElement(k)) continue;
            long version = CollectionKeys.version(k);
            long[] extent = listExtents.get(version);
            if (extent != null) { // a list's: its metadata says where its elements are, unless no metadata owns it any more
                listWindows.written(version, CollectionKeys.positionOf(k), op.value());
                if (op.isDelete() && !owners.containsKey(version) && --extent[1] <= 0) listExtents.remove(version);
                continue;
            }
            Scores sorted = scores.get(version);
            if (op.isDelete()) {
                MemberIndex m = members.get(version);
                if (m != null && m.remove(CollectionKeys.member(k)) && m.size() == 0) members.remove(version);
                if (sorted != null) sorted.remove(CollectionKeys.member(k));
            } else {
                members.computeIfAbsent(version, v -> new MemberIndex()).add(CollectionKeys.member(k));
                if (sorted != null) sorted.put(CollectionKeys.member(k), Scores.decode(op.value()));
            }
        }
        if (released == null) return;
        for (Long version : released) {
            if (owners.containsKey(version)) continue;
            scores.remove(version);
            listWindows.released(version);
            long[] extent = listExtents.get(version);
            if (extent != null && extent[1] <= 0) listExtents.remove(version);
            else if (extent != null || members.containsKey(version)) orphans.add(version);
        }
    }

    /** The members of sorted set {@code version} by score, as the engine holds them; {@code score} reads a member's record. */
    Scores scores(long version, java.util.function.Function<byte[], byte[]> score) {
        Scores sorted = scores.get(version);
        if (sorted != null) return sorted;
        sorted = Scores.of(members(version).snapshot(), score);
        scores.put(version, sorted);
        return sorted;
    }

    /** The next batch of deletes of orphaned elements, or null when none are left. */
    WriteBatch sweep() {
        while (!orphans.isEmpty()) {
            long version = orphans.peek();
            if (owners.containsKey(version)) {
                orphans.poll();
                continue;
            }
            long[] extent = listExtents.get(version);
            if (extent != null && extent[1] > 0) { // from the tail: each delete applied shortens the extent by one
                WriteBatch batch = new WriteBatch();
                for (long i = extent[1] - 1; i >= 0 && batch.size() < SWEEP_BATCH; i--) {
                    batch.delete(CollectionKeys.element(version, CollectionKeys.position(extent[0] + i)));
                }
                return batch;
            }
            MemberIndex m = members.get(version);
            if (m == null || m.size() == 0) {
                orphans.poll();
                continue;
            }
            WriteBatch batch = new WriteBatch();
            for (int i = m.size() - 1; i >= 0 && batch.size() < SWEEP_BATCH; i--) batch.delete(CollectionKeys.element(version, m.get(i)));
            return batch;
        }
        return null;
    }

    /** Elements waiting for the sweeper (for INFO and tests). */
    long orphanedElements() {
        long n = 0;
        for (Long version : orphans) {
            long[] extent = listExtents.get(version);
            n += extent != null ? Math.max(0, extent[1]) : members(version).size();
        }
        return n;
    }
}

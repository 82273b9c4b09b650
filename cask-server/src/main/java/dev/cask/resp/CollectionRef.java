package dev.cask.resp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One collection argument as a command sees it: its metadata key, its metadata (null when there
 * is no collection of that name), its expiry, and whether another type holds the name. The
 * lookups, creation, metadata writes and member listing every collection command shares.
 */
record CollectionRef(byte[] metaKey, CollectionKeys.Meta meta, long expiry, boolean wrongType) {

    boolean exists() {
        return meta != null;
    }

    long count() {
        return meta == null ? 0 : meta.count();
    }

    /** The collection named by argument {@code arg}, as {@code c}'s key space sees it, expected to be of {@code type}. */
    static CollectionRef find(Call c, int arg, CollectionKeys.Type type) {
        byte[] metaKey = c.metaKey(arg);
        KeySpace.Value v = c.ks.read(metaKey);
        if (v == null) return new CollectionRef(metaKey, null, 0, c.ks.exists(c.key(arg)));
        CollectionKeys.Meta meta = CollectionKeys.decode(v.value());
        boolean wrong = meta == null || meta.type() != type;
        return new CollectionRef(metaKey, wrong ? null : meta, v.expiry(), wrong);
    }

    /** As {@link #find}, for a read: null, after answering WRONGTYPE, when another type holds the name. */
    static CollectionRef readable(Call c, int arg, CollectionKeys.Type type) {
        CollectionRef ref = find(c, arg, type);
        if (ref.wrongType()) {
            c.r.error(HashCommands.WRONGTYPE);
            return null;
        }
        return ref;
    }

    /** As {@link #readable}, for a write: a missing collection is created (a new version, nothing in it yet). */
    static CollectionRef writable(Call c, int arg, CollectionKeys.Type type) {
        CollectionRef ref = readable(c, arg, type);
        if (ref == null || ref.exists()) return ref;
        return ref.created(c, type);
    }

    /** A new, empty collection of {@code type} under this metadata key (a new version, no expiry). */
    CollectionRef created(Call c, CollectionKeys.Type type) {
        return new CollectionRef(metaKey, new CollectionKeys.Meta(type, c.collections.newVersion(c.ks), 0), 0, false);
    }

    /** Writes the metadata with {@code count} elements, or deletes it when none are left (Redis deletes an empty collection). */
    void store(Call c, long count) {
        if (count == 0) c.ks.delete(metaKey);
        else c.ks.put(metaKey, CollectionKeys.encode(meta.withCount(count)), expiry);
    }

    /** For a list: writes the metadata with its head and length, or deletes it when the list is empty. */
    void storeList(Call c, long head, long count) {
        if (count == 0) c.ks.delete(metaKey);
        else c.ks.put(metaKey, CollectionKeys.encode(meta.withHeadAndCount(head, count)), expiry);
    }

    /** The stored key of element {@code member}. */
    byte[] element(byte[] member) {
        return CollectionKeys.element(meta.version(), member);
    }

    /**
     * HRANDFIELD's and SRANDMEMBER's count: how many of {@code n} members it answers, as Redis
     * (repeats allowed for a negative count, at most n distinct ones for a positive count).
     */
    static long picks(long count, int n) {
        return n == 0 ? 0 : count < 0 ? -count : Math.min(count, n);
    }

    /**
     * Hands {@link #picks} random members of {@code all} to {@code each}, one at a time: a huge
     * negative count streams into the reply, whose output limit stops it, and is never a list.
     */
    static <T> void pick(List<T> all, long count, java.util.function.Consumer<T> each) {
        if (all.isEmpty()) return;
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        if (count < 0) {
            for (long i = 0; i < -count; i++) each.accept(all.get(random.nextInt(all.size())));
            return;
        }
        List<T> shuffled = new ArrayList<>(all);
        java.util.Collections.shuffle(shuffled, random);
        for (int i = 0; i < picks(count, all.size()); i++) each.accept(shuffled.get(i));
    }

    /**
     * Up to {@code count} distinct members chosen at random (SPOP). A few from a large collection
     * are drawn by index from the member index, without copying it: SPOP of one member costs the
     * same whatever the set's size.
     */
    List<byte[]> randomDistinct(Call c, long count) {
        if (meta == null || count <= 0) return List.of();
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        MemberIndex m = c.collections.members(meta.version());
        if (!c.ks.hasWrites() && count <= m.size() / 4) {
            java.util.Set<Integer> chosen = new java.util.LinkedHashSet<>();
            while (chosen.size() < count) chosen.add(random.nextInt(m.size()));
            List<byte[]> picked = new ArrayList<>(chosen.size());
            for (int i : chosen) picked.add(m.get(i));
            return picked;
        }
        List<byte[]> all = new ArrayList<>(members(c));
        java.util.Collections.shuffle(all, random);
        return all.subList(0, (int) Math.min(count, all.size()));
    }

    /** The members: the index's, with this command's or transaction's own writes laid over it. */
    List<byte[]> members(Call c) {
        if (meta == null) return List.of();
        long version = meta.version();
        MemberIndex m = c.collections.members(version);
        List<byte[]> names = new ArrayList<>(m.size());
        if (!c.ks.hasWrites()) {
            for (int i = 0; i < m.size(); i++) names.add(m.get(i));
            return names;
        }
        Set<ByteBuffer> seen = new HashSet<>();
        for (int i = 0; i < m.size(); i++) {
            seen.add(ByteBuffer.wrap(m.get(i)));
            if (c.ks.exists(CollectionKeys.element(version, m.get(i)))) names.add(m.get(i));
        }
        for (byte[] key : c.ks.writtenKeys()) {
            if (!CollectionKeys.isElement(key) || CollectionKeys.version(key) != version) continue;
            byte[] name = CollectionKeys.member(key);
            if (seen.add(ByteBuffer.wrap(name)) && c.ks.exists(key)) names.add(name);
        }
        return names;
    }
}

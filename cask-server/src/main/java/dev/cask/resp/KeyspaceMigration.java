package dev.cask.resp;

import dev.cask.core.Cask;
import dev.cask.core.KeyDirEntry;
import dev.cask.core.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Brings a database written by an earlier version of the server into today's encoding, at
 * server start. {@link KeyNames#VERSION_KEY} says which it is:
 * <ul>
 * <li>none: written before logical databases existed. Every key that begins with 00 was a
 *     database-0 key and is rewritten in its escaped form.
 * <li>1: set members longer than {@link CollectionKeys#SET_MEMBER_INLINE_MAX} bytes were kept
 *     in their element keys. Each is rewritten under its digest name, the member as the value.
 * <li>2: today's.
 * </ul>
 * Each step is one atomic batch with the version record, so a crash leaves all of it or none and
 * the next start does it again.
 */
final class KeyspaceMigration {
    /** The encoding this build writes. */
    static final String CURRENT = "2";

    private KeyspaceMigration() {}

    /** Whether the keyspace predates the encoding: no version record yet. */
    static boolean needed(Cask cask) {
        return cask.get(KeyNames.VERSION_KEY) == null;
    }

    /** Rewrites {@code legacy} (the keys that begin with 00, found by the caller's walk) and writes the version record. */
    static int run(Cask cask, List<byte[]> legacy) {
        WriteBatch batch = new WriteBatch();
        int moved = 0;
        for (byte[] key : legacy) {
            KeyDirEntry entry = cask.metadata(key);
            byte[] value = cask.get(key);
            if (entry == null || value == null) continue; // expired meanwhile
            batch.delete(key).put(KeyNames.encode(0, key), value, entry.expiry());
            moved++;
        }
        batch.put(KeyNames.VERSION_KEY, CURRENT.getBytes(StandardCharsets.US_ASCII)); // nothing of version 1's sets to move: sets came later
        cask.write(batch);
        return moved;
    }

    /**
     * Version 1 to 2: every set member longer than {@link CollectionKeys#SET_MEMBER_INLINE_MAX}
     * bytes moves from its element key to a digest-named element holding it as the value (under
     * version 1 every name is a member as it is, so a 33-byte one is a member too, not a digest).
     * Returns how many moved; nothing happens for a database of another version.
     */
    static int digestLongSetMembers(Cask cask) {
        byte[] version = cask.get(KeyNames.VERSION_KEY);
        if (version == null || !new String(version, StandardCharsets.US_ASCII).equals("1")) return 0;
        java.util.Set<Long> sets = new java.util.HashSet<>();
        List<byte[]> metas = new java.util.ArrayList<>();
        cask.forEachKey(k -> {
            if (CollectionKeys.isMeta(k)) metas.add(k);
        });
        for (byte[] key : metas) {
            CollectionKeys.Meta meta = CollectionKeys.decode(cask.get(key));
            if (meta != null && meta.type() == CollectionKeys.Type.SET) sets.add(meta.version());
        }
        WriteBatch batch = new WriteBatch();
        int[] moved = new int[1];
        if (!sets.isEmpty()) {
            cask.forEachKey(k -> {
                if (!CollectionKeys.isElement(k) || !sets.contains(CollectionKeys.version(k))) return;
                byte[] member = CollectionKeys.member(k);
                if (member.length <= CollectionKeys.SET_MEMBER_INLINE_MAX) return;
                batch.delete(k).put(CollectionKeys.element(CollectionKeys.version(k), CollectionKeys.setMemberName(member)), member);
                moved[0]++;
            });
        }
        batch.put(KeyNames.VERSION_KEY, CURRENT.getBytes(StandardCharsets.US_ASCII));
        cask.write(batch);
        return moved[0];
    }
}

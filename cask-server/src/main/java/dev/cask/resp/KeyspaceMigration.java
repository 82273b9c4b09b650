package dev.cask.resp;

import dev.cask.core.Cask;
import dev.cask.core.KeyDirEntry;
import dev.cask.core.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Brings a database written before logical databases existed into {@link KeyNames}' encoding, at
 * server start: every key that begins with 00 was a database-0 key and is rewritten in its
 * escaped form, in one atomic batch with {@link KeyNames#VERSION_KEY}, so a crash leaves all of
 * it or none and the next start does it again. Other keys are already what they were.
 */
final class KeyspaceMigration {
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
        batch.put(KeyNames.VERSION_KEY, "1".getBytes(StandardCharsets.US_ASCII));
        cask.write(batch);
        return moved;
    }
}

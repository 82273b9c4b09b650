package dev.cask.resp;

import dev.cask.core.Cask;
import dev.cask.core.WriteBatch;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The sixteen logical databases over the engine's one key space ({@link KeyNames}): their keys,
 * sizes and per-database counts for INFO, and emptying one or all. A walk of the keydir answers
 * what needs one database's keys; while only database 0 has ever held keys, DBSIZE is the
 * engine's count and needs no walk.
 */
final class Keyspaces {
    private static final System.Logger LOG = System.getLogger(Keyspaces.class.getName());
    /** Deletes per batch when FLUSHDB or FLUSHALL empties a big database outside a transaction. */
    private static final int FLUSH_BATCH = 10_000;
    /** Keys of the server's own (not a client's): the keyspace version. */
    private static final int INTERNAL_KEYS = 1;

    private final Cask cask;
    private final Consumer<WriteBatch> writer;
    /** Whether any database other than 0 (or a database-0 key in the escaped form) may hold keys. */
    private boolean otherDatabases;

    Keyspaces(Cask cask, Consumer<WriteBatch> writer) {
        this.cask = cask;
        this.writer = writer;
        boolean migrate = KeyspaceMigration.needed(cask);
        List<byte[]> escaped = new ArrayList<>();
        boolean[] notPlain = new boolean[1];
        java.util.function.Consumer<byte[]> look = k -> {
            if (migrate && KeyNames.beginsWithEscape(k)) escaped.add(k.clone());
            // another database's key, an escaped database-0 one, a collection's record: DBSIZE then needs a walk
            if (KeyNames.beginsWithEscape(k) && !java.util.Arrays.equals(k, KeyNames.VERSION_KEY)) notPlain[0] = true;
        };
        if (migrate) {
            cask.forEachKey(look); // one walk: the keys to migrate, and whether any key is not a plain database-0 key
        } else { // only whether any key is not a plain database-0 one: the walk stops at the first
            long cursor = 0;
            do cursor = cask.scan(cursor, 4096, look); while (cursor != 0 && !notPlain[0]);
        }
        otherDatabases = notPlain[0];
        if (migrate) {
            int moved = KeyspaceMigration.run(cask, escaped);
            if (moved > 0) LOG.log(System.Logger.Level.INFO, "rewrote " + moved + " key(s) that begin with a 00 byte into the encoding of logical databases");
        }
        int digested = KeyspaceMigration.digestLongSetMembers(cask);
        if (digested > 0) LOG.log(System.Logger.Level.INFO, "moved " + digested + " set member(s) longer than 32 bytes from their keys into their values");
    }

    /** A write is about to touch {@code storedKey}: from now on database sizes need a walk if it is not a plain database-0 key. */
    void writing(byte[] storedKey) {
        if (!otherDatabases && KeyNames.beginsWithEscape(storedKey)) otherDatabases = true;
    }

    /** The live stored keys of database {@code db}, as {@code ks} sees them (a transaction's own writes included). */
    List<byte[]> storedKeys(KeySpace ks, int db) {
        List<byte[]> keys = new ArrayList<>();
        Set<ByteBuffer> seen = new HashSet<>();
        cask.forEachKey(k -> {
            if (KeyNames.inDatabase(k, db)) {
                byte[] copy = k.clone();
                if (!ks.hasWrites()) {
                    keys.add(copy);
                } else if (seen.add(ByteBuffer.wrap(copy)) && ks.exists(copy)) {
                    keys.add(copy);
                }
            }
        });
        if (ks.hasWrites()) {
            for (byte[] key : ks.writtenKeys()) {
                if (KeyNames.inDatabase(key, db) && !seen.contains(ByteBuffer.wrap(key)) && ks.exists(key)) keys.add(key);
            }
        }
        return keys;
    }

    /** DBSIZE: the engine's own count while only database 0 is used (expired keys count until a merge, as in Redis until evicted). */
    long size(KeySpace ks, int db) {
        if (!otherDatabases && !ks.hasWrites()) return db == 0 ? Math.max(0, cask.size() - INTERNAL_KEYS) : 0;
        return storedKeys(ks, db).size();
    }

    /** Keys and keys with an expiry, per database, for INFO's keyspace section. */
    long[][] counts() {
        long[][] counts = new long[KeyNames.DATABASES][2];
        cask.forEachEntry((k, entry) -> {
            int db = KeyNames.database(k);
            if (db < 0) return;
            counts[db][0]++;
            if (entry.expiry() != 0) counts[db][1]++;
        });
        return counts;
    }

    /** A few keys of database {@code db} for RANDOMKEY: from a random place in the keydir, else from a walk. */
    List<byte[]> sample(KeySpace ks, int db) {
        List<byte[]> found = new ArrayList<>();
        if (!ks.hasWrites()) {
            for (int attempt = 0; attempt < 4 && found.isEmpty(); attempt++) {
                cask.scan(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 1, 64, k -> {
                    if (KeyNames.inDatabase(k, db)) found.add(k.clone());
                });
            }
        }
        return found.isEmpty() ? storedKeys(ks, db) : found;
    }

    long scan(long cursor, int count, Consumer<byte[]> visitor) {
        return cask.scan(cursor, count, visitor);
    }

    /**
     * Deletes every key of database {@code db} (every database for -1). Inside a transaction the
     * deletes join its batch; otherwise they are written at once, in bounded batches (each atomic).
     */
    void flush(KeySpace ks, int db) {
        List<byte[]> keys = new ArrayList<>();
        if (db >= 0) {
            keys.addAll(storedKeys(ks, db));
        } else {
            for (int d = 0; d < KeyNames.DATABASES; d++) keys.addAll(storedKeys(ks, d));
        }
        if (ks.inTransaction()) {
            for (byte[] k : keys) ks.delete(k);
            return;
        }
        for (int from = 0; from < keys.size(); from += FLUSH_BATCH) {
            WriteBatch batch = new WriteBatch();
            for (byte[] key : keys.subList(from, Math.min(keys.size(), from + FLUSH_BATCH))) batch.delete(key);
            writer.accept(batch);
        }
    }
}

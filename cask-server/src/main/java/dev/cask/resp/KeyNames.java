package dev.cask.resp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * How the server's logical databases (SELECT 0-15) and its own bookkeeping share the engine's one
 * key space, and the only code that knows it. See {@code docs/FORMAT.md}.
 *
 * <pre>
 * stored key                 meaning
 * k (k[0] != 0x00)           key k of database 0: as every key was stored before databases existed
 * 00 db k                    key k of database db (0-15); database 0 uses this form only for
 *                            keys that begin with 00
 * 00 ff name                 the server's own record {@code name} (never a client's key)
 * 00 (20+db) k               the metadata of collection k of database db ({@link CollectionKeys})
 * 00 45 ...                  an element of a collection ({@link CollectionKeys}): no client's key
 * </pre>
 *
 * A database written before this encoding may hold database-0 keys that begin with 00; the
 * server rewrites them at start ({@link KeyspaceMigration}) and then writes {@link #VERSION_KEY},
 * so it never reads such a key the old way again.
 */
final class KeyNames {
    static final int DATABASES = 16;
    private static final byte ESCAPE = 0x00;
    private static final byte INTERNAL = (byte) 0xff;
    /** Marks a keyspace in this encoding; its value is the version ({@link KeyspaceMigration}: "2" today). */
    static final byte[] VERSION_KEY = internal("keyspace-version");

    private KeyNames() {}

    /** The stored key of {@code key} in database {@code db}. */
    static byte[] encode(int db, byte[] key) {
        if (db == 0 && (key.length == 0 || key[0] != ESCAPE)) return key;
        byte[] stored = new byte[key.length + 2];
        stored[0] = ESCAPE;
        stored[1] = (byte) db;
        System.arraycopy(key, 0, stored, 2, key.length);
        return stored;
    }

    /** The database a stored key belongs to, or -1 for the server's own records (and anything else that is no client's key). */
    static int database(byte[] stored) {
        if (stored.length == 0 || stored[0] != ESCAPE) return 0;
        if (stored.length < 2) return -1;
        int db = stored[1] & 0xff;
        if (CollectionKeys.isMeta(stored)) return CollectionKeys.metaDatabase(stored);
        return db < DATABASES ? db : -1;
    }

    /** The client's key of a stored key of database {@link #database}. */
    static byte[] userKey(byte[] stored) {
        if (stored.length == 0 || stored[0] != ESCAPE) return stored;
        return Arrays.copyOfRange(stored, 2, stored.length);
    }

    /** Whether a stored key belongs to database {@code db}, without copying it. */
    static boolean inDatabase(byte[] stored, int db) {
        return database(stored) == db;
    }

    static byte[] internal(String name) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        byte[] stored = new byte[n.length + 2];
        stored[0] = ESCAPE;
        stored[1] = INTERNAL;
        System.arraycopy(n, 0, stored, 2, n.length);
        return stored;
    }

    /** Whether a stored key begins with 00: another database's, an escaped database-0 one, or (before the migration) a legacy one. */
    static boolean beginsWithEscape(byte[] stored) {
        return stored.length > 0 && stored[0] == ESCAPE;
    }
}

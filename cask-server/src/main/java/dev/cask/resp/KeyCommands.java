package dev.cask.resp;

import dev.cask.core.KeyPattern;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Redis 7's generic key commands (and the per-database ones: SELECT, MOVE, SWAPDB, FLUSHDB,
 * DBSIZE), on the keys of the client's selected database ({@link KeyNames}).
 */
final class KeyCommands {
    static final String NO_SUCH_KEY = "ERR no such key";
    static final String SAME_OBJECT = "ERR source and destination objects are the same";
    static final String DB_RANGE = "ERR DB index is out of range";
    /** SWAPDB moves both databases' keys in one atomic batch: past this many keys it refuses rather than build a huge one. */
    static final int SWAPDB_MAX_KEYS = 100_000;

    private final Keyspaces keyspaces;

    KeyCommands(Keyspaces keyspaces) {
        this.keyspaces = keyspaces;
    }

    static void del(Call c) {
        Set<ByteBuffer> seen = new HashSet<>();
        long n = 0;
        for (int i = 1; i < c.size(); i++) {
            byte[] key = c.existing(i); // a string, or a collection's metadata: its elements go to the sweeper
            if (key != null && seen.add(ByteBuffer.wrap(key))) {
                c.ks.delete(key);
                n++;
            }
        }
        c.r.integer(n);
    }

    /** EXISTS and TOUCH: a key named twice counts twice, as in Redis. */
    static void exists(Call c) {
        long n = 0;
        for (int i = 1; i < c.size(); i++) if (c.existing(i) != null) n++;
        c.r.integer(n);
    }

    static void type(Call c) {
        c.r.simple(typeOf(c, 1));
    }

    /** TYPE's answer for argument {@code i}: string, the collection's type, or none. */
    static String typeOf(Call c, int i) {
        if (c.ks.exists(c.key(i))) return "string";
        if (!c.collectionAt(i)) return "none";
        KeySpace.Value v = c.ks.read(c.metaKey(i));
        CollectionKeys.Meta meta = v == null ? null : CollectionKeys.decode(v.value());
        return meta == null ? "none" : meta.type().name;
    }

    /** Where a record stored at {@code from} goes as key {@code user} of database {@code db}: a record of the same kind. */
    static byte[] sameKind(byte[] from, int db, byte[] user) {
        return CollectionKeys.isMeta(from) ? CollectionKeys.meta(db, user) : KeyNames.encode(db, user);
    }

    /** Whether key {@code user} of database {@code db} holds a record of any kind. */
    private static boolean existsAnyKind(Call c, int db, byte[] user) {
        return c.ks.exists(KeyNames.encode(db, user)) || ((c.collections.any() || c.ks.hasWrites()) && c.ks.exists(CollectionKeys.meta(db, user)));
    }

    /** Deletes whatever key {@code user} of database {@code db} holds, of any kind. */
    static void deleteAnyKind(Call c, int db, byte[] user) {
        byte[] string = KeyNames.encode(db, user);
        if (c.ks.exists(string)) c.ks.delete(string);
        byte[] meta = CollectionKeys.meta(db, user);
        if ((c.collections.any() || c.ks.hasWrites()) && c.ks.exists(meta)) c.ks.delete(meta);
    }

    /**
     * EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT key time [NX|XX|GT|LT]. {@code unitMillis} is 1000 or
     * 1; {@code absolute} for the AT forms.
     */
    static void expire(Call c, long unitMillis, boolean absolute, String name) {
        boolean nx = false, xx = false, gt = false, lt = false;
        for (int i = 3; i < c.size(); i++) {
            switch (c.upper(i)) {
                case "NX" -> nx = true;
                case "XX" -> xx = true;
                case "GT" -> gt = true;
                case "LT" -> lt = true;
                default -> {
                    c.r.error("ERR Unsupported option " + c.text(i));
                    return;
                }
            }
        }
        if (nx && (xx || gt || lt)) {
            c.r.error("ERR NX and XX, GT or LT options at the same time are not compatible");
            return;
        }
        if (gt && lt) {
            c.r.error("ERR GT and LT options at the same time are not compatible");
            return;
        }
        if (!c.isInteger(2)) { // after the options, as Redis checks them
            c.r.error(StringCommands.NOT_INTEGER);
            return;
        }
        long n = c.integer(2);
        long when;
        try {
            when = Math.multiplyExact(n, unitMillis);
            if (!absolute) when = Math.addExact(c.now(), when);
        } catch (ArithmeticException e) {
            c.r.error("ERR invalid expire time in '" + name + "' command");
            return;
        }
        byte[] key = c.existing(1); // a collection's expiry is its metadata record's
        KeySpace.Value v = key == null ? null : c.ks.read(key);
        if (v == null) {
            c.r.integer(0);
            return;
        }
        long current = v.expiry(); // 0 = never, which GT and LT treat as infinite
        if ((nx && current != 0) || (xx && current == 0) || (gt && (current == 0 || when <= current)) || (lt && current != 0 && when >= current)) {
            c.r.integer(0);
            return;
        }
        if (when <= c.now()) c.ks.delete(key);
        else c.ks.put(key, v.value(), when);
        c.r.integer(1);
    }

    /** TTL and PTTL (relative), EXPIRETIME and PEXPIRETIME (absolute): -2 missing, -1 no expiry. */
    static void ttl(Call c, boolean seconds, boolean absolute) {
        byte[] key = c.existing(1);
        long expiry = key == null ? -1 : c.ks.expiry(key);
        if (expiry < 0) c.r.integer(-2);
        else if (expiry == 0) c.r.integer(-1);
        else if (absolute) c.r.integer(seconds ? (expiry + 500) / 1000 : expiry); // rounded, as Redis rounds TTL
        else {
            long left = Math.max(0, expiry - c.now());
            c.r.integer(seconds ? (left + 500) / 1000 : left);
        }
    }

    static void persist(Call c) {
        byte[] key = c.existing(1);
        KeySpace.Value v = key == null ? null : c.ks.read(key);
        if (v == null || v.expiry() == 0) {
            c.r.integer(0);
            return;
        }
        c.ks.put(key, v.value(), 0);
        c.r.integer(1);
    }

    /** RENAME and RENAMENX: the value moves with its expiry. */
    static void rename(Call c, boolean nx) {
        byte[] from = c.existing(1); // a collection renames as its metadata alone: its elements are keyed by version
        KeySpace.Value v = from == null ? null : c.ks.read(from);
        if (v == null) {
            c.r.error(NO_SUCH_KEY);
            return;
        }
        byte[] to = sameKind(from, c.session.db, c.arg(2));
        if (java.util.Arrays.equals(from, to)) {
            if (nx) c.r.integer(0);
            else c.r.ok();
            return;
        }
        if (nx && existsAnyKind(c, c.session.db, c.arg(2))) {
            c.r.integer(0);
            return;
        }
        deleteAnyKind(c, c.session.db, c.arg(2));
        c.ks.put(to, v.value(), v.expiry());
        c.ks.delete(from);
        if (nx) c.r.integer(1);
        else c.r.ok();
    }

    /** COPY source destination [DB destination-db] [REPLACE]. */
    static void copy(Call c) {
        boolean replace = false;
        long db = c.session.db;
        for (int i = 3; i < c.size(); i++) {
            String opt = c.upper(i);
            if (opt.equals("REPLACE")) {
                replace = true;
            } else if (opt.equals("DB") && i + 1 < c.size()) {
                db = c.integer(++i);
                if (!c.isInteger(i)) {
                    c.r.error(StringCommands.NOT_INTEGER);
                    return;
                }
            } else {
                c.r.error(StringCommands.SYNTAX);
                return;
            }
        }
        if (db < 0 || db >= KeyNames.DATABASES) {
            c.r.error(DB_RANGE);
            return;
        }
        if (db == c.session.db && java.util.Arrays.equals(c.arg(1), c.arg(2))) {
            c.r.error(SAME_OBJECT);
            return;
        }
        byte[] from = c.existing(1);
        KeySpace.Value v = from == null ? null : c.ks.read(from);
        if (v == null || (!replace && existsAnyKind(c, (int) db, c.arg(2)))) {
            c.r.integer(0);
            return;
        }
        deleteAnyKind(c, (int) db, c.arg(2));
        byte[] to = sameKind(from, (int) db, c.arg(2));
        CollectionKeys.Meta meta = CollectionKeys.isMeta(from) ? CollectionKeys.decode(v.value()) : null;
        if (meta == null) {
            c.ks.put(to, v.value(), v.expiry());
        } else { // a collection's copy is a new version with a copy of every element
            long version = c.collections.newVersion(c.ks);
            for (byte[] member : elementsOf(c, meta)) {
                byte[] value = c.ks.value(CollectionKeys.element(meta.version(), member));
                if (value != null) c.ks.put(CollectionKeys.element(version, member), value, 0);
            }
            c.ks.put(to, CollectionKeys.encode(new CollectionKeys.Meta(meta.type(), version, meta.count(), meta.head())), v.expiry());
        }
        c.r.integer(1);
    }

    /** A collection's element names as the engine holds them: a list's positions from its head, or the member index's. */
    private static List<byte[]> elementsOf(Call c, CollectionKeys.Meta meta) {
        if (meta.type() != CollectionKeys.Type.LIST) return c.collections.members(meta.version()).snapshot();
        List<byte[]> positions = new ArrayList<>();
        for (long i = 0; i < meta.count(); i++) positions.add(CollectionKeys.position(meta.head() + i));
        return positions;
    }

    /** MOVE key db: the key leaves this database for another where it does not exist yet. */
    static void move(Call c) {
        long db = c.integer(2);
        if (!c.isInteger(2)) {
            c.r.error(StringCommands.NOT_INTEGER);
            return;
        }
        if (db < 0 || db >= KeyNames.DATABASES) {
            c.r.error(DB_RANGE);
            return;
        }
        if (db == c.session.db) {
            c.r.error(SAME_OBJECT);
            return;
        }
        byte[] from = c.existing(1);
        KeySpace.Value v = from == null ? null : c.ks.read(from);
        if (v == null || existsAnyKind(c, (int) db, c.arg(1))) {
            c.r.integer(0);
            return;
        }
        byte[] to = sameKind(from, (int) db, c.arg(1));
        c.ks.put(to, v.value(), v.expiry());
        c.ks.delete(from);
        c.r.integer(1);
    }

    static void select(Call c) {
        long db = c.integer(1);
        if (!c.isInteger(1)) c.r.error(StringCommands.NOT_INTEGER);
        else if (db < 0 || db >= KeyNames.DATABASES) c.r.error(DB_RANGE);
        else {
            c.session.db = (int) db;
            c.r.ok();
        }
    }

    /** SWAPDB a b: every key of each database moves to the other, in one atomic batch with their expiries. */
    void swapdb(Call c) {
        long a = c.integer(1);
        long b = c.integer(2);
        if (!c.isInteger(1)) {
            c.r.error("ERR invalid first DB index");
            return;
        }
        if (!c.isInteger(2)) {
            c.r.error("ERR invalid second DB index");
            return;
        }
        if (a < 0 || a >= KeyNames.DATABASES || b < 0 || b >= KeyNames.DATABASES) {
            c.r.error(DB_RANGE);
            return;
        }
        if (a == b) {
            c.r.ok();
            return;
        }
        List<byte[]> inA = keyspaces.storedKeys(c.ks, (int) a);
        List<byte[]> inB = keyspaces.storedKeys(c.ks, (int) b);
        if (inA.size() + inB.size() > SWAPDB_MAX_KEYS) {
            c.r.error("ERR SWAPDB of " + (inA.size() + inB.size()) + " keys is more than Cask swaps in one atomic batch (" + SWAPDB_MAX_KEYS
                    + "); move the keys with MOVE or COPY instead");
            return;
        }
        List<Move> moves = new ArrayList<>();
        for (byte[] k : inA) moves.add(new Move(k, sameKind(k, (int) b, KeyNames.userKey(k)), c.ks.read(k)));
        for (byte[] k : inB) moves.add(new Move(k, sameKind(k, (int) a, KeyNames.userKey(k)), c.ks.read(k)));
        moves.removeIf(m -> m.value == null); // expired meanwhile
        for (Move m : moves) c.ks.checkPut(m.to, m.value.value()); // a refusal before any delete
        for (Move m : moves) c.ks.delete(m.from);
        for (Move m : moves) c.ks.put(m.to, m.value.value(), m.value.expiry());
        c.r.ok();
    }

    /** One key of SWAPDB: where it is stored now, where it goes, and its value with its expiry. */
    private record Move(byte[] from, byte[] to, KeySpace.Value value) {}

    void dbsize(Call c) {
        c.r.integer(keyspaces.size(c.ks, c.session.db));
    }

    /** FLUSHDB (the selected database) and FLUSHALL (all of them) [ASYNC|SYNC]. */
    void flush(Call c, boolean all) {
        if (c.size() > 2 || (c.size() == 2 && !c.upper(1).matches("ASYNC|SYNC"))) {
            c.r.error(StringCommands.SYNTAX);
            return;
        }
        keyspaces.flush(c.ks, all ? -1 : c.session.db);
        c.r.ok();
    }

    void keys(Call c) {
        KeyPattern pattern = KeyPattern.of(c.arg(1));
        List<byte[]> keys = new ArrayList<>();
        for (byte[] k : keyspaces.storedKeys(c.ks, c.session.db)) {
            byte[] user = KeyNames.userKey(k);
            if (pattern.matches(user)) keys.add(user);
        }
        c.r.array(keys.size());
        for (byte[] k : keys) c.r.bulk(k);
    }

    void randomkey(Call c) {
        List<byte[]> sample = keyspaces.sample(c.ks, c.session.db);
        if (sample.isEmpty()) c.r.nil();
        else c.r.bulk(KeyNames.userKey(sample.get(ThreadLocalRandom.current().nextInt(sample.size()))));
    }

    /** SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]: the cursor is a position in the keydir's hash order. */
    void scan(Call c) {
        long cursor;
        try {
            cursor = Long.parseUnsignedLong(c.text(1));
        } catch (NumberFormatException e) {
            c.r.error("ERR invalid cursor");
            return;
        }
        KeyPattern pattern = null;
        long count = 10;
        String onlyType = null;
        for (int i = 2; i < c.size(); i += 2) {
            if (i + 1 >= c.size()) {
                c.r.error(StringCommands.SYNTAX);
                return;
            }
            switch (c.upper(i)) {
                case "MATCH" -> pattern = KeyPattern.of(c.arg(i + 1));
                case "COUNT" -> {
                    count = c.integer(i + 1);
                    if (!c.isInteger(i + 1)) {
                        c.r.error(StringCommands.NOT_INTEGER);
                        return;
                    }
                    if (count < 1) {
                        c.r.error(StringCommands.SYNTAX);
                        return;
                    }
                }
                case "TYPE" -> onlyType = c.text(i + 1).toLowerCase(java.util.Locale.ROOT);
                default -> {
                    c.r.error(StringCommands.SYNTAX);
                    return;
                }
            }
        }
        List<byte[]> keys = new ArrayList<>();
        KeyPattern match = pattern;
        int db = c.session.db;
        String type = onlyType;
        long next = keyspaces.scan(cursor, (int) Math.min(count, 100_000), k -> {
            if (KeyNames.inDatabase(k, db)) {
                byte[] user = KeyNames.userKey(k);
                if ((match == null || match.matches(user)) && (type == null || type.equals(kindOf(c, k)))) keys.add(user == k ? k.clone() : user);
            }
        });
        c.r.array(2);
        c.r.bulk(Long.toUnsignedString(next));
        c.r.array(keys.size());
        for (byte[] k : keys) c.r.bulk(k);
    }

    /** The type of the record stored at {@code stored}: string, or its collection's type. */
    private static String kindOf(Call c, byte[] stored) {
        if (!CollectionKeys.isMeta(stored)) return "string";
        CollectionKeys.Meta meta = CollectionKeys.decode(c.ks.value(stored));
        return meta == null ? "none" : meta.type().name;
    }

    /** OBJECT ENCODING|FREQ|IDLETIME|REFCOUNT|HELP: what applies to values kept on disk. */
    static void object(Call c) {
        String sub = c.upper(1);
        if (sub.equals("HELP") && c.size() == 2) {
            String[] lines = {"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "ENCODING <key>",
                "    Return the kind of internal representation used in order to store the value", "    associated with a <key>.",
                "FREQ <key>", "    Return the access frequency index of the <key>. The returned integer is", "    proportional to the logarithm of the recent access frequency of the key.",
                "IDLETIME <key>", "    Return the idle time of the <key>, that is the approximated number of", "    seconds elapsed since the last access to the key.",
                "REFCOUNT <key>", "    Return the number of references of the value associated with the specified", "    <key>.",
                "HELP", "    Print this help."};
            c.r.array(lines.length);
            for (String line : lines) c.r.simple(line);
            return;
        }
        if (c.size() != 3 || !sub.matches("ENCODING|FREQ|IDLETIME|REFCOUNT")) {
            c.r.error("ERR unknown subcommand or wrong number of arguments for '" + c.text(1) + "'. Try OBJECT HELP.");
            return;
        }
        byte[] key = c.existing(2);
        KeySpace.Value v = key == null ? null : c.ks.read(key);
        if (v == null) {
            c.r.nil();
            return;
        }
        switch (sub) {
            case "ENCODING" -> c.r.bulk(CollectionKeys.isMeta(key) ? hashEncoding(c, CollectionKeys.decode(v.value())) : encoding(v.value()));
            case "FREQ" -> c.r.error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when"
                    + " switching between policies at runtime LRU and LFU data will take some time to adjust.");
            case "IDLETIME" -> c.r.integer(0); // Cask keeps no access times: every key counts as just used
            default -> c.r.integer(1);
        }
    }

    /**
     * What Redis would call a hash of this size: listpack up to 128 fields of at most 64 bytes and
     * values as short, hashtable past that. (Redis keeps hashtable once a hash grew past it, even
     * after deletes; Cask answers from what the hash holds now.)
     */
    private static String hashEncoding(Call c, CollectionKeys.Meta meta) {
        if (meta != null && meta.type() == CollectionKeys.Type.SET) return setEncoding(c, meta);
        if (meta != null && meta.type() == CollectionKeys.Type.LIST) return "quicklist"; // Redis 7.0 keeps every list in one
        if (meta != null && meta.type() == CollectionKeys.Type.ZSET) {
            if (meta.count() > 128) return "skiplist";
            for (byte[] m : c.collections.members(meta.version()).snapshot()) if (m.length > 64) return "skiplist";
            return "listpack";
        }
        if (meta == null || meta.count() > 128) return "hashtable";
        for (byte[] field : c.collections.members(meta.version()).snapshot()) {
            if (field.length > 64 || c.ks.length(CollectionKeys.element(meta.version(), field)) > 64) return "hashtable";
        }
        return "listpack";
    }

    /** What Redis 7.0 would call a set of this size: intset up to 512 members that are all integers, hashtable past that. */
    private static String setEncoding(Call c, CollectionKeys.Meta meta) {
        if (meta.count() > 512) return "hashtable";
        for (byte[] member : c.collections.members(meta.version()).snapshot()) if (!Integers.valid(member)) return "hashtable";
        return "intset";
    }

    /** Redis's encoding of a string set whole: int for a canonical 64-bit integer, embstr up to 44 bytes, raw past that. */
    static String encoding(byte[] value) {
        if (value.length <= 20 && Integers.valid(value)) return "int";
        return value.length <= 44 ? "embstr" : "raw";
    }

    static void dump(Call c) {
        if (c.collectionAt(1)) {
            c.r.error("ERR DUMP of a collection is not supported by Cask yet; only strings dump");
            return;
        }
        KeySpace.Value v = c.ks.read(c.key(1));
        c.r.bulk(v == null ? null : DumpPayload.encode(v.value()));
    }

    /** RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]. */
    static void restore(Call c) {
        boolean replace = false, absTtl = false;
        for (int i = 4; i < c.size(); i++) {
            String opt = c.upper(i);
            if (opt.equals("REPLACE")) replace = true;
            else if (opt.equals("ABSTTL")) absTtl = true;
            else if ((opt.equals("IDLETIME") || opt.equals("FREQ")) && i + 1 < c.size()) {
                long n = c.integer(++i);
                if (!c.isInteger(i)) {
                    c.r.error(StringCommands.NOT_INTEGER);
                    return;
                }
                if (n < 0) {
                    c.r.error(opt.equals("IDLETIME") ? "ERR Invalid IDLETIME value, must be >= 0" : "ERR Invalid FREQ value, must be >= 0 and <= 255");
                    return;
                }
                if (opt.equals("FREQ") && n > 255) {
                    c.r.error("ERR Invalid FREQ value, must be >= 0 and <= 255");
                    return;
                }
            } else {
                c.r.error(StringCommands.SYNTAX);
                return;
            }
        }
        byte[] key = c.key(1);
        if (!replace && existsAnyKind(c, c.session.db, c.arg(1))) {
            c.r.error("BUSYKEY Target key name already exists.");
            return;
        }
        long ttl = c.integer(2);
        if (!c.isInteger(2)) {
            c.r.error(StringCommands.NOT_INTEGER);
            return;
        }
        if (ttl < 0) {
            c.r.error("ERR Invalid TTL value, must be >= 0");
            return;
        }
        byte[] value;
        try {
            value = DumpPayload.decode(c.arg(3));
        } catch (DumpPayload.BadPayloadException e) {
            c.r.error(e.getMessage());
            return;
        }
        long expiry = ttl == 0 ? 0 : absTtl ? ttl : c.now() + ttl;
        deleteAnyKind(c, c.session.db, c.arg(1)); // REPLACE: what was there goes, whatever its type
        if (expiry != 0 && expiry <= c.now()) { // already expired: Redis deletes what was there and stores nothing
            c.r.ok();
            return;
        }
        c.ks.put(key, value, expiry);
        c.r.ok();
    }
}

package dev.cask.resp;

import dev.cask.core.Cask;
import dev.cask.core.CaskException;
import dev.cask.core.KeyDirEntry;
import dev.cask.core.KeyPattern;
import dev.cask.core.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The data commands, with Redis's semantics, reply types and error texts, run on the loop
 * thread against the engine. The loop thread is the only writer besides merges, so a read
 * followed by a write (INCR, APPEND, SET NX) sees no other client in between. Every write goes
 * through {@link Cask#writeWithoutSync} and tells the handler, which holds the reply for the force
 * when the policy is {@code always}.
 */
final class Commands {
    static final String SYNTAX = "ERR syntax error";
    static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    /** Deletes per batch when FLUSHALL empties a big database. */
    private static final int FLUSH_BATCH = 10_000;

    private final Cask cask;
    private final RespHandler handler;
    private final ServerCommands server;

    Commands(ServerState state, RespHandler handler) {
        this.cask = state.cask;
        this.handler = handler;
        this.server = new ServerCommands(state);
    }

    void execute(CommandSpec spec, Session session, List<byte[]> a, Reply r) {
        try {
            switch (spec) {
                case PING -> {
                    if (a.size() > 2) r.error("ERR wrong number of arguments for 'ping' command");
                    else if (a.size() == 2) r.bulk(a.get(1));
                    else r.simple("PONG");
                }
                case ECHO -> r.bulk(a.get(1));
                case GET -> r.bulk(cask.get(a.get(1)));
                case SET -> set(a, r);
                case GETDEL -> {
                    byte[] value = cask.get(a.get(1));
                    if (value != null) write(new WriteBatch().delete(a.get(1)));
                    r.bulk(value);
                }
                case DEL, UNLINK -> r.integer(delete(a.subList(1, a.size())));
                case EXISTS -> {
                    long n = 0;
                    for (int i = 1; i < a.size(); i++) if (cask.contains(a.get(i))) n++;
                    r.integer(n);
                }
                case MGET -> {
                    r.array(a.size() - 1);
                    for (int i = 1; i < a.size(); i++) r.bulk(cask.get(a.get(i)));
                }
                case MSET -> {
                    if (a.size() % 2 == 0) {
                        r.error("ERR wrong number of arguments for 'mset' command");
                        return;
                    }
                    WriteBatch batch = new WriteBatch();
                    for (int i = 1; i < a.size(); i += 2) batch.put(a.get(i), a.get(i + 1));
                    write(batch);
                    r.ok();
                }
                case INCR -> incrBy(a.get(1), 1, r);
                case DECR -> incrBy(a.get(1), -1, r);
                case INCRBY, DECRBY -> {
                    long by = Integers.parse(a.get(2));
                    if (by == Integers.INVALID) {
                        r.error(NOT_INTEGER);
                        return;
                    }
                    if (spec == CommandSpec.DECRBY) {
                        if (by == Long.MIN_VALUE) {
                            r.error("ERR decrement would overflow");
                            return;
                        }
                        by = -by;
                    }
                    incrBy(a.get(1), by, r);
                }
                case APPEND -> append(a.get(1), a.get(2), r);
                case STRLEN -> {
                    KeyDirEntry entry = cask.metadata(a.get(1));
                    r.integer(entry == null ? 0 : entry.valueSize());
                }
                case EXPIRE -> expire(a, 1000, "expire", r);
                case PEXPIRE -> expire(a, 1, "pexpire", r);
                case TTL -> ttl(a.get(1), true, r);
                case PTTL -> ttl(a.get(1), false, r);
                case PERSIST -> {
                    Current snapshot = current(a.get(1));
                    if (snapshot == null || snapshot.expiry() == 0) {
                        r.integer(0);
                        return;
                    }
                    write(new WriteBatch().put(a.get(1), snapshot.value(), 0));
                    r.integer(1);
                }
                case KEYS -> {
                    KeyPattern pattern = KeyPattern.of(a.get(1));
                    List<byte[]> keys = new ArrayList<>();
                    cask.forEachKey(k -> {
                        if (pattern.matches(k)) keys.add(k.clone());
                    });
                    r.array(keys.size());
                    for (byte[] k : keys) r.bulk(k);
                }
                case SCAN -> scan(a, r);
                case DBSIZE -> r.integer(cask.size());
                case FLUSHDB, FLUSHALL -> flush(a, r);
                case SELECT -> {
                    long db = Integers.parse(a.get(1));
                    if (db == Integers.INVALID) r.error(NOT_INTEGER);
                    else if (db != 0) r.error("ERR DB index is out of range");
                    else r.ok();
                }
                // no default: Error Prone's MissingCasesInEnumSwitch fails the build for a command no case handles
                case INFO, COMMAND, CONFIG, CLIENT, AUTH, HELLO, QUIT, SHUTDOWN, SAVE, BGSAVE, BGREWRITEAOF, MERGE, TIME ->
                        server.execute(spec, session, a, r);
            }
        } catch (CaskException | IllegalArgumentException | IllegalStateException e) {
            // the engine's limits and failures: a clear error, nothing written
            r.error("ERR " + e.getMessage());
        }
    }

    private void write(WriteBatch batch) {
        cask.writeWithoutSync(batch);
        handler.wrote();
    }

    private long delete(List<byte[]> keys) {
        WriteBatch batch = new WriteBatch();
        java.util.Set<java.nio.ByteBuffer> seen = new java.util.HashSet<>();
        for (byte[] key : keys) {
            if (seen.add(java.nio.ByteBuffer.wrap(key)) && cask.contains(key)) batch.delete(key);
        }
        if (batch.size() > 0) write(batch);
        return batch.size();
    }

    /** SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]. */
    private void set(List<byte[]> a, Reply r) {
        byte[] key = a.get(1);
        boolean nx = false, xx = false, get = false, keepTtl = false;
        long expiry = 0;
        String unit = null;
        for (int i = 3; i < a.size(); i++) {
            String opt = upper(a.get(i));
            switch (opt) {
                case "NX" -> nx = true;
                case "XX" -> xx = true;
                case "GET" -> get = true;
                case "KEEPTTL" -> keepTtl = true;
                case "EX", "PX", "EXAT", "PXAT" -> {
                    if (unit != null || i + 1 >= a.size()) {
                        r.error(SYNTAX);
                        return;
                    }
                    unit = opt;
                    long n = Integers.parse(a.get(++i));
                    if (n == Integers.INVALID) {
                        r.error(NOT_INTEGER);
                        return;
                    }
                    expiry = absoluteExpiry(opt, n);
                    if (expiry <= 0) {
                        r.error("ERR invalid expire time in 'set' command");
                        return;
                    }
                }
                default -> {
                    r.error(SYNTAX);
                    return;
                }
            }
        }
        if ((nx && xx) || (keepTtl && unit != null)) {
            r.error(SYNTAX);
            return;
        }
        KeyDirEntry current = cask.metadata(key);
        byte[] old = get && current != null ? cask.get(key) : null;
        boolean exists = current != null;
        if ((nx && exists) || (xx && !exists)) {
            if (get) r.bulk(old);
            else r.nil();
            return;
        }
        if (keepTtl && current != null && (current.expiry() == 0 || current.expiry() > now())) expiry = current.expiry();
        if (expiry != 0 && expiry <= now()) { // already in the past: Redis stores nothing and the key is gone
            if (exists) write(new WriteBatch().delete(key));
        } else {
            write(new WriteBatch().put(key, a.get(2), expiry));
        }
        if (get) r.bulk(old);
        else r.ok();
    }

    /** Milliseconds since the epoch for EX/PX/EXAT/PXAT {@code n}; 0 or less when invalid (n <= 0 or overflow). */
    private long absoluteExpiry(String unit, long n) {
        if (n <= 0) return 0;
        try {
            return switch (unit) {
                case "EX" -> Math.addExact(now(), Math.multiplyExact(n, 1000));
                case "PX" -> Math.addExact(now(), n);
                case "EXAT" -> Math.multiplyExact(n, 1000);
                default -> n;
            };
        } catch (ArithmeticException e) {
            return 0;
        }
    }

    /**
     * The key's value and expiry as one snapshot, or null if it is missing or expired. Reading the
     * metadata and then the value separately can see the key expire in between, and then write the
     * new value with an expiry that has already passed.
     */
    private record Current(byte[] value, long expiry) {}

    private Current current(byte[] key) {
        KeyDirEntry entry = cask.metadata(key);
        if (entry == null) return null;
        byte[] value = cask.get(key);
        if (value == null) return null;
        if (entry.expiry() != 0 && entry.expiry() <= now()) return null;
        return new Current(value, entry.expiry());
    }

    private void incrBy(byte[] key, long by, Reply r) {
        Current snapshot = current(key);
        byte[] value = snapshot == null ? null : snapshot.value();
        long current = 0;
        if (value != null) {
            current = Integers.parse(value);
            if (current == Integers.INVALID) {
                r.error(NOT_INTEGER);
                return;
            }
        }
        long next;
        try {
            next = Math.addExact(current, by);
        } catch (ArithmeticException e) {
            r.error("ERR increment or decrement would overflow");
            return;
        }
        write(new WriteBatch().put(key, Long.toString(next).getBytes(StandardCharsets.US_ASCII), snapshot == null ? 0 : snapshot.expiry()));
        r.integer(next);
    }

    private void append(byte[] key, byte[] suffix, Reply r) {
        Current snapshot = current(key);
        byte[] value = snapshot == null ? null : snapshot.value();
        byte[] joined;
        if (value == null) {
            joined = suffix;
        } else {
            if ((long) value.length + suffix.length > cask.options().maxValueSize()) {
                r.error("ERR string exceeds maximum allowed size (maxValueSize " + cask.options().maxValueSize() + " bytes)");
                return;
            }
            joined = new byte[value.length + suffix.length];
            System.arraycopy(value, 0, joined, 0, value.length);
            System.arraycopy(suffix, 0, joined, value.length, suffix.length);
        }
        write(new WriteBatch().put(key, joined, snapshot == null ? 0 : snapshot.expiry()));
        r.integer(joined.length);
    }

    /** EXPIRE/PEXPIRE key time [NX|XX|GT|LT]. */
    private void expire(List<byte[]> a, long unitMillis, String name, Reply r) {
        byte[] key = a.get(1);
        long n = Integers.parse(a.get(2));
        if (n == Integers.INVALID) {
            r.error(NOT_INTEGER);
            return;
        }
        boolean nx = false, xx = false, gt = false, lt = false;
        for (int i = 3; i < a.size(); i++) {
            switch (upper(a.get(i))) {
                case "NX" -> nx = true;
                case "XX" -> xx = true;
                case "GT" -> gt = true;
                case "LT" -> lt = true;
                default -> {
                    r.error("ERR Unsupported option " + new String(a.get(i), StandardCharsets.ISO_8859_1));
                    return;
                }
            }
        }
        if (nx && (xx || gt || lt)) {
            r.error("ERR NX and XX, GT or LT options at the same time are not compatible");
            return;
        }
        if (gt && lt) {
            r.error("ERR GT and LT options at the same time are not compatible");
            return;
        }
        long when;
        try {
            when = Math.addExact(now(), Math.multiplyExact(n, unitMillis));
        } catch (ArithmeticException e) {
            r.error("ERR invalid expire time in '" + name + "' command");
            return;
        }
        KeyDirEntry entry = cask.metadata(key);
        if (entry == null) {
            r.integer(0);
            return;
        }
        long current = entry.expiry(); // 0 = never, which GT and LT treat as infinite
        if ((nx && current != 0) || (xx && current == 0) || (gt && (current == 0 || when <= current))
                || (lt && current != 0 && when >= current)) {
            r.integer(0);
            return;
        }
        if (when <= now()) {
            write(new WriteBatch().delete(key));
            r.integer(1);
            return;
        }
        byte[] value = cask.get(key);
        if (value == null) {
            r.integer(0);
            return;
        }
        write(new WriteBatch().put(key, value, when));
        r.integer(1);
    }

    private void ttl(byte[] key, boolean seconds, Reply r) {
        KeyDirEntry entry = cask.metadata(key);
        if (entry == null) r.integer(-2);
        else if (entry.expiry() == 0) r.integer(-1);
        else {
            long left = Math.max(0, entry.expiry() - now());
            r.integer(seconds ? (left + 500) / 1000 : left);
        }
    }

    /** SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]: Cask's cursor is a position in hash order, see {@link Cask#scan}. */
    private void scan(List<byte[]> a, Reply r) {
        String text = new String(a.get(1), StandardCharsets.ISO_8859_1);
        long cursor;
        try {
            cursor = Long.parseUnsignedLong(text);
        } catch (NumberFormatException e) {
            r.error("ERR invalid cursor");
            return;
        }
        KeyPattern pattern = null;
        long count = 10;
        boolean onlyOtherType = false;
        for (int i = 2; i < a.size(); i += 2) {
            if (i + 1 >= a.size()) {
                r.error(SYNTAX);
                return;
            }
            switch (upper(a.get(i))) {
                case "MATCH" -> pattern = KeyPattern.of(a.get(i + 1));
                case "COUNT" -> {
                    count = Integers.parse(a.get(i + 1));
                    if (count == Integers.INVALID) {
                        r.error(NOT_INTEGER);
                        return;
                    }
                    if (count < 1) {
                        r.error(SYNTAX);
                        return;
                    }
                }
                case "TYPE" -> onlyOtherType = !upper(a.get(i + 1)).equals("STRING"); // every Cask value is a string
                default -> {
                    r.error(SYNTAX);
                    return;
                }
            }
        }
        List<byte[]> keys = new ArrayList<>();
        KeyPattern match = pattern;
        long next = cask.scan(cursor, (int) Math.min(count, 100_000), k -> {
            if (match == null || match.matches(k)) keys.add(k.clone());
        });
        if (onlyOtherType) keys.clear();
        r.array(2);
        r.bulk(Long.toUnsignedString(next));
        r.array(keys.size());
        for (byte[] k : keys) r.bulk(k);
    }

    /** FLUSHDB/FLUSHALL [ASYNC|SYNC]: tombstones for every key, in batches (each batch atomic). */
    private void flush(List<byte[]> a, Reply r) {
        if (a.size() > 2 || (a.size() == 2 && !upper(a.get(1)).matches("ASYNC|SYNC"))) {
            r.error(SYNTAX);
            return;
        }
        List<byte[]> keys = cask.keys();
        for (int from = 0; from < keys.size(); from += FLUSH_BATCH) {
            WriteBatch batch = new WriteBatch();
            for (byte[] key : keys.subList(from, Math.min(keys.size(), from + FLUSH_BATCH))) batch.delete(key);
            write(batch);
        }
        r.ok();
    }

    private long now() {
        return cask.options().clock().millis();
    }

    static String upper(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
    }
}

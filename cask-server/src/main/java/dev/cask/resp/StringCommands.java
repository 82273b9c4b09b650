package dev.cask.resp;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Redis 7's string commands, with its reply types, error texts, overflow rules and edge cases.
 * Reads and writes go through the call's {@link KeySpace}; a command that fails writes nothing.
 * Commands that overwrite a value keep the key's expiry where Redis does (INCR, APPEND, SETRANGE)
 * and drop it where Redis does (SET, GETSET, MSET).
 */
final class StringCommands {
    static final String SYNTAX = "ERR syntax error";
    static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    static final String NOT_FLOAT = "ERR value is not a valid float";
    /** Redis's proto-max-bulk-len: the largest string SETRANGE and APPEND may build (the engine's value limit applies too). */
    private static final long MAX_STRING = 512L * 1024 * 1024;
    /** What Redis's string2ld takes: decimal with an optional exponent, or infinity (which INCRBYFLOAT then refuses). */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern INFINITY = Pattern.compile("[+-]?(inf|infinity)", Pattern.CASE_INSENSITIVE);

    private StringCommands() {}

    static void get(Call c) {
        byte[] value = c.ks.value(c.key(1));
        if (value == null && wrongType(c, 1)) return;
        c.r.bulk(value);
    }

    /**
     * Answers WRONGTYPE if argument {@code i} names a collection: for a command that found no
     * string there, at the point of the command where Redis checks the key's type.
     */
    static boolean wrongType(Call c, int i) {
        if (!c.collectionAt(i)) return false;
        c.r.error(HashCommands.WRONGTYPE);
        return true;
    }

    /** SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]. */
    static void set(Call c) {
        byte[] key = c.key(1);
        boolean nx = false, xx = false, get = false, keepTtl = false;
        long expiry = 0;
        String unit = null;
        for (int i = 3; i < c.size(); i++) {
            String opt = c.upper(i);
            switch (opt) {
                case "NX" -> nx = true;
                case "XX" -> xx = true;
                case "GET" -> get = true;
                case "KEEPTTL" -> keepTtl = true;
                case "EX", "PX", "EXAT", "PXAT" -> {
                    if (unit != null || i + 1 >= c.size()) {
                        c.r.error(SYNTAX);
                        return;
                    }
                    unit = opt;
                    expiry = expiryOrReply(c, opt, ++i, "set");
                    if (expiry <= 0) return;
                }
                default -> {
                    c.r.error(SYNTAX);
                    return;
                }
            }
        }
        if ((nx && xx) || (keepTtl && unit != null)) {
            c.r.error(SYNTAX);
            return;
        }
        KeySpace.Value current = c.ks.read(key);
        KeySpace.Value collection = current == null && c.collectionAt(1) ? c.ks.read(c.metaKey(1)) : null;
        if (collection != null && get) { // SET ... GET of a key of another type: an error, and nothing changes
            c.r.error(HashCommands.WRONGTYPE);
            return;
        }
        boolean exists = current != null || collection != null;
        if ((nx && exists) || (xx && !exists)) {
            if (get) c.r.bulk(current == null ? null : current.value());
            else c.r.nil();
            return;
        }
        if (keepTtl && exists) expiry = current != null ? current.expiry() : collection.expiry();
        if (collection != null) c.dropCollection(1); // SET replaces a value of any type
        store(c, key, c.arg(2), expiry, current != null);
        if (get) c.r.bulk(current == null ? null : current.value());
        else c.r.ok();
    }

    /**
     * Argument {@code arg} as an absolute expiry in {@code unit} (EX, PX, EXAT, PXAT); 0 after
     * answering Redis's error when it is not an integer, not positive, or overflows.
     */
    private static long expiryOrReply(Call c, String unit, int arg, String command) {
        if (!c.isInteger(arg)) {
            c.r.error(NOT_INTEGER);
            return 0;
        }
        long expiry = Expiry.absolute(unit, c.integer(arg), c.now());
        if (expiry <= 0) c.r.error("ERR invalid expire time in '" + command + "' command");
        return expiry;
    }

    /** Writes {@code value}, or, for an expiry already past, deletes the key as Redis does. */
    private static void store(Call c, byte[] key, byte[] value, long expiry, boolean exists) {
        if (expiry != 0 && expiry <= c.now()) {
            c.ks.checkPut(key, value); // the limits still apply: an oversized value is refused, not silently dropped
            if (exists) c.ks.delete(key);
            return;
        }
        c.ks.put(key, value, expiry);
    }

    static void setnx(Call c) {
        byte[] key = c.key(1);
        if (c.ks.exists(key) || c.collectionAt(1)) {
            c.r.integer(0);
            return;
        }
        c.ks.put(key, c.arg(2), 0);
        c.r.integer(1);
    }

    /** SETEX key seconds value, PSETEX key milliseconds value. */
    static void setex(Call c, boolean millis) {
        long expiry = expiryOrReply(c, millis ? "PX" : "EX", 2, millis ? "psetex" : "setex");
        if (expiry <= 0) return;
        c.dropCollection(1);
        c.ks.put(c.key(1), c.arg(3), expiry);
        c.r.ok();
    }

    static void getset(Call c) {
        byte[] key = c.key(1);
        byte[] old = c.ks.value(key);
        if (old == null && wrongType(c, 1)) return;
        c.ks.put(key, c.arg(2), 0);
        c.r.bulk(old);
    }

    static void getdel(Call c) {
        byte[] key = c.key(1);
        byte[] old = c.ks.value(key); // one lookup: the expiry does not matter here
        if (old == null && wrongType(c, 1)) return;
        if (old != null) c.ks.delete(key);
        c.r.bulk(old);
    }

    /** GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST]: the options' syntax first, then the key, then the time (Redis's order). */
    static void getex(Call c) {
        byte[] key = c.key(1);
        String unit = null;
        int timeArg = -1;
        boolean persist = false;
        for (int i = 2; i < c.size(); i++) {
            String opt = c.upper(i);
            if (opt.equals("PERSIST") && unit == null && !persist) {
                persist = true;
            } else if ((opt.equals("EX") || opt.equals("PX") || opt.equals("EXAT") || opt.equals("PXAT")) && unit == null && !persist
                    && i + 1 < c.size()) {
                unit = opt;
                timeArg = ++i;
            } else {
                c.r.error(SYNTAX);
                return;
            }
        }
        KeySpace.Value v = c.ks.read(key);
        if (v == null) {
            if (!wrongType(c, 1)) c.r.nil();
            return;
        }
        long expiry = persist ? 0 : -1; // -1: leave as it is
        if (unit != null) {
            expiry = expiryOrReply(c, unit, timeArg, "getex");
            if (expiry <= 0) return;
        }
        if (expiry > 0 && expiry <= c.now()) c.ks.delete(key);
        else if (expiry >= 0 && expiry != v.expiry()) c.ks.put(key, v.value(), expiry);
        c.r.bulk(v.value());
    }

    static void mget(Call c) {
        c.r.array(c.size() - 1);
        for (int i = 1; i < c.size(); i++) c.r.bulk(c.ks.value(c.key(i)));
    }

    /** MSET and MSETNX: every limit is checked before anything is collected, so a refused pair writes none. */
    static void mset(Call c, boolean nx) {
        if (c.size() % 2 == 0) {
            c.r.error("ERR wrong number of arguments for '" + (nx ? "msetnx" : "mset") + "' command");
            return;
        }
        for (int i = 1; i < c.size(); i += 2) c.ks.checkPut(c.key(i), c.arg(i + 1));
        if (nx) {
            for (int i = 1; i < c.size(); i += 2) {
                if (c.ks.exists(c.key(i)) || c.collectionAt(i)) {
                    c.r.integer(0);
                    return;
                }
            }
        }
        for (int i = 1; i < c.size(); i += 2) {
            c.dropCollection(i);
            c.ks.put(c.key(i), c.arg(i + 1), 0);
        }
        if (nx) c.r.integer(1);
        else c.r.ok();
    }

    /** INCR, DECR, INCRBY, DECRBY: {@code by} already parsed and negated for a decrement. */
    static void incrBy(Call c, long by) {
        byte[] key = c.key(1);
        KeySpace.Value v = c.ks.read(key);
        if (v == null && wrongType(c, 1)) return;
        long current = 0;
        if (v != null) {
            current = Integers.parse(v.value());
            if (!Integers.valid(v.value())) {
                c.r.error(NOT_INTEGER);
                return;
            }
        }
        long next;
        try {
            next = Math.addExact(current, by);
        } catch (ArithmeticException e) {
            c.r.error("ERR increment or decrement would overflow");
            return;
        }
        c.ks.put(key, Long.toString(next).getBytes(StandardCharsets.US_ASCII), v == null ? 0 : v.expiry());
        c.r.integer(next);
    }

    /** The increment of INCRBY/DECRBY, negated for DECRBY; answers the error and returns null when it is not one. */
    static Long increment(Call c, boolean decrement) {
        long by = c.integer(2);
        if (!c.isInteger(2)) {
            c.r.error(NOT_INTEGER);
            return null;
        }
        if (!decrement) return by;
        if (by == Long.MIN_VALUE) {
            c.r.error("ERR decrement would overflow");
            return null;
        }
        return -by;
    }

    /** INCRBYFLOAT key increment: in long double, as Redis computes it ({@link LongDouble}); the key keeps its expiry. */
    static void incrByFloat(Call c) {
        byte[] key = c.key(1);
        KeySpace.Value v = c.ks.read(key);
        if (v == null && wrongType(c, 1)) return;
        String incrText = c.text(2);
        String currentText = v == null ? "0" : new String(v.value(), StandardCharsets.ISO_8859_1);
        String exact = LongDouble.exactSum(currentText, incrText); // the common case: no rounding anywhere
        String sum = exact != null ? exact : longDoubleSum(c, currentText, incrText);
        if (sum == null) return;
        byte[] bytes = sum.getBytes(StandardCharsets.US_ASCII);
        c.ks.put(key, bytes, v == null ? 0 : v.expiry());
        c.r.bulk(bytes);
    }

    /** The sum printed as Redis prints it, in exact long-double arithmetic; null after answering the error that stops it. */
    private static String longDoubleSum(Call c, String currentText, String incrText) {
        boolean currentInfinite = INFINITY.matcher(currentText).matches(); // strtold takes "inf"; the sum then cannot be stored
        BigDecimal current = currentInfinite ? null : parseFloat(currentText);
        boolean incrInfinite = INFINITY.matcher(incrText).matches();
        BigDecimal incr = incrInfinite ? null : parseFloat(incrText);
        if ((current == null && !currentInfinite) || (incr == null && !incrInfinite)) {
            c.r.error(NOT_FLOAT);
            return null;
        }
        BigDecimal sum = currentInfinite || incrInfinite ? null : LongDouble.add(current, incr);
        if (sum == null) {
            c.r.error("ERR increment would produce NaN or Infinity");
            return null;
        }
        return LongDouble.format(sum);
    }

    /** Whether strtold would read {@code text} as an infinity (which Redis takes, then refuses to store). */
    static boolean isInfinity(String text) {
        return INFINITY.matcher(text).matches();
    }

    /** What strtold takes and Redis keeps (no spaces, no NaN), as the long double it becomes; null otherwise or if it overflows. */
    static BigDecimal parseFloat(String text) {
        if (text.isEmpty() || text.length() >= 5 * 1024 || !DECIMAL.matcher(text).matches()) return null;
        try {
            return LongDouble.round(new BigDecimal(text.startsWith("+") ? text.substring(1) : text));
        } catch (NumberFormatException | ArithmeticException e) {
            return null; // an exponent past what BigDecimal holds: far past a long double's range too
        }
    }

    static void append(Call c) {
        byte[] key = c.key(1);
        KeySpace.Value v = c.ks.read(key);
        if (v == null && wrongType(c, 1)) return;
        byte[] suffix = c.arg(2);
        byte[] joined;
        if (v == null) {
            joined = suffix;
        } else {
            if ((long) v.value().length + suffix.length > MAX_STRING) {
                c.r.error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
                return;
            }
            joined = new byte[v.value().length + suffix.length];
            System.arraycopy(v.value(), 0, joined, 0, v.value().length);
            System.arraycopy(suffix, 0, joined, v.value().length, suffix.length);
        }
        c.ks.put(key, joined, v == null ? 0 : v.expiry());
        c.r.integer(joined.length);
    }

    static void strlen(Call c) {
        long length = c.ks.length(c.key(1));
        if (length < 0 && wrongType(c, 1)) return;
        c.r.integer(Math.max(0, length));
    }

    /** SETRANGE key offset value: zeros fill the gap; an empty value changes nothing and creates nothing. */
    static void setrange(Call c) {
        long offset = c.integer(2);
        if (!c.isInteger(2)) {
            c.r.error(NOT_INTEGER);
            return;
        }
        if (offset < 0) {
            c.r.error("ERR offset is out of range");
            return;
        }
        byte[] key = c.key(1);
        byte[] patch = c.arg(3);
        KeySpace.Value v = c.ks.read(key);
        if (v == null && wrongType(c, 1)) return;
        byte[] old = v == null ? new byte[0] : v.value();
        if (patch.length == 0) {
            c.r.integer(old.length);
            return;
        }
        if (offset > MAX_STRING - patch.length) {
            c.r.error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
            return;
        }
        byte[] next = java.util.Arrays.copyOf(old, (int) Math.max(old.length, offset + patch.length));
        System.arraycopy(patch, 0, next, (int) offset, patch.length);
        c.ks.put(key, next, v == null ? 0 : v.expiry());
        c.r.integer(next.length);
    }

    /** GETRANGE and SUBSTR key start end, with Redis 7's clamping of negative and past-the-end indexes. */
    static void getrange(Call c) {
        long start = c.integer(2);
        long end = c.integer(3);
        if (!c.isInteger(2) || !c.isInteger(3)) {
            c.r.error(NOT_INTEGER);
            return;
        }
        KeySpace.Value v = c.ks.read(c.key(1));
        if (v == null && wrongType(c, 1)) return;
        byte[] s = v == null ? new byte[0] : v.value();
        long len = s.length;
        if (start < 0 && end < 0 && start > end) {
            c.r.bulk(new byte[0]);
            return;
        }
        if (start < 0) start = len + start;
        if (end < 0) end = len + end;
        if (start < 0) start = 0;
        if (end < 0) end = 0;
        if (end >= len) end = len - 1;
        if (start > end || len == 0) c.r.bulk(new byte[0]);
        else c.r.bulk(java.util.Arrays.copyOfRange(s, (int) start, (int) end + 1));
    }

    /** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN], as Redis 7 computes and orders it. */
    static void lcs(Call c) {
        boolean len = false, idx = false, withMatchLen = false;
        long minMatchLen = 0;
        for (int i = 3; i < c.size(); i++) {
            switch (c.upper(i)) {
                case "LEN" -> len = true;
                case "IDX" -> idx = true;
                case "WITHMATCHLEN" -> withMatchLen = true;
                case "MINMATCHLEN" -> {
                    if (i + 1 >= c.size()) {
                        c.r.error(SYNTAX);
                        return;
                    }
                    minMatchLen = c.integer(++i);
                    if (!c.isInteger(i)) {
                        c.r.error(NOT_INTEGER);
                        return;
                    }
                    if (minMatchLen < 0) minMatchLen = 0;
                }
                default -> {
                    c.r.error(SYNTAX);
                    return;
                }
            }
        }
        if (len && idx) {
            c.r.error("ERR If you want both the length and indexes, please just use IDX.");
            return;
        }
        KeySpace.Value va = c.ks.read(c.key(1));
        KeySpace.Value vb = c.ks.read(c.key(2));
        Lcs.reply(va == null ? new byte[0] : va.value(), vb == null ? new byte[0] : vb.value(), len, idx, minMatchLen, withMatchLen, c.r);
    }
}

package dev.cask.resp;

import dev.cask.core.KeyPattern;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Redis 7's sorted-set commands on the log (not the blocking ones yet): each member one record
 * holding its score, keyed by the set's version; the order by score is {@link Scores}, kept in
 * memory per set. Scores print as Redis 7.0 prints them: an integer below 2^52 as an integer,
 * anything else as C's {@code %.17g}.
 */
final class ZSetCommands {
    private static final CollectionKeys.Type ZSET = CollectionKeys.Type.ZSET;
    private static final String NOT_FLOAT = "ERR value is not a valid float";
    private static final String RANGE_NOT_FLOAT = "ERR min or max is not a float";
    private static final String LEX_RANGE = "ERR min or max not valid string range item";

    private ZSetCommands() {}

    /** A score's digits as Redis's strtod takes them (compiled once: compiling it per ZADD was 7% of the loop). */
    private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile("(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?");

    /** A score as Redis's strtod takes it (no spaces, no NaN, inf and infinity in any case); null otherwise. */
    static Double parse(String text) {
        if (text.isEmpty() || Character.isWhitespace(text.charAt(0)) || Character.isWhitespace(text.charAt(text.length() - 1))) return null;
        String lower = text.toLowerCase(Locale.ROOT);
        String unsigned = lower.startsWith("+") || lower.startsWith("-") ? lower.substring(1) : lower;
        if (unsigned.equals("inf") || unsigned.equals("infinity")) return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        if (!DECIMAL.matcher(unsigned).matches()) return null;
        return Double.parseDouble(text);
    }

    /** A score as Redis 7.0 prints it (d2string). */
    static String format(double score) {
        if (Double.isInfinite(score)) return score > 0 ? "inf" : "-inf";
        if (score == 0) return 1 / score < 0 ? "-0" : "0";
        if (score > -4503599627370495d && score < 4503599627370496d && score == (double) (long) score) return Long.toString((long) score);
        BigDecimal exact = new BigDecimal(score).round(new MathContext(17, RoundingMode.HALF_EVEN));
        int exponent = exact.precision() - exact.scale() - 1;
        if (exponent < -4 || exponent >= 17) {
            BigDecimal mantissa = exact.movePointLeft(exponent).stripTrailingZeros();
            String digits = mantissa.scale() <= 0 ? mantissa.toBigInteger().toString() : mantissa.toPlainString();
            return digits + "e" + (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
        }
        return exact.stripTrailingZeros().toPlainString();
    }

    private static byte[] formatted(double score) {
        return format(score).getBytes(StandardCharsets.US_ASCII);
    }

    /** The set's order as this command sees it: the kept one, or, with writes of its own pending, one built for it. */
    private static Scores scores(Call c, CollectionRef z) {
        if (!z.exists()) return new Scores();
        if (c.ks.hasWrites()) return Scores.of(z.members(c), m -> c.ks.value(z.element(m)));
        return c.collections.scores(z.meta().version(), m -> c.ks.value(z.element(m)));
    }

    private static void write(Call c, CollectionRef z, byte[] member, double score) {
        if (score == 0) score = 0.0; // -0 as +0: Redis keeps a small set's scores as text, where -0 reads back as 0
        c.ks.checkPut(z.element(member), Scores.encode(score));
        c.ks.put(z.element(member), Scores.encode(score), 0);
    }

    /** ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...], in Redis's order of checks. */
    static void zadd(Call c, boolean zincrby) {
        boolean nx = false, xx = false, gt = false, lt = false, ch = false, incr = zincrby;
        int i = 2;
        if (!zincrby) {
            for (; i < c.size(); i++) {
                String opt = c.upper(i);
                if (opt.equals("NX")) nx = true;
                else if (opt.equals("XX")) xx = true;
                else if (opt.equals("GT")) gt = true;
                else if (opt.equals("LT")) lt = true;
                else if (opt.equals("CH")) ch = true;
                else if (opt.equals("INCR")) incr = true;
                else break;
            }
            int elements = c.size() - i;
            if (elements % 2 != 0 || elements == 0) {
                c.r.error(StringCommands.SYNTAX);
                return;
            }
            if (nx && xx) {
                c.r.error("ERR XX and NX options at the same time are not compatible");
                return;
            }
            if ((gt && nx) || (lt && nx) || (gt && lt)) {
                c.r.error("ERR GT, LT, and/or NX options at the same time are not compatible");
                return;
            }
            if (incr && elements > 2) {
                c.r.error("ERR INCR option supports a single increment-element pair");
                return;
            }
        }
        List<Double> scores = new ArrayList<>();
        for (int j = i; j < c.size(); j += 2) {
            Double score = parse(c.text(j));
            if (score == null) {
                c.r.error(NOT_FLOAT);
                return;
            }
            scores.add(score);
        }
        CollectionRef z = CollectionRef.readable(c, 1, ZSET);
        if (z == null) return;
        if (!z.exists()) {
            if (xx) {
                if (incr) c.r.nil();
                else c.r.integer(0);
                return;
            }
            z = z.created(c, ZSET);
        }
        Scores order = scores(c, z);
        java.util.Map<java.nio.ByteBuffer, Double> written = new java.util.HashMap<>(); // a member named twice sees its first write
        long added = 0, updated = 0;
        Double result = null;
        for (int k = 0; k < scores.size(); k++) {
            byte[] member = c.arg(i + 2 * k + 1);
            double score = scores.get(k);
            java.nio.ByteBuffer name = java.nio.ByteBuffer.wrap(member);
            Double current = written.containsKey(name) ? written.get(name) : order.score(member);
            if (current != null) {
                if (nx) continue;
                double next = incr ? current + score : score;
                if (Double.isNaN(next)) {
                    c.r.error("ERR resulting score is not a number (NaN)");
                    return;
                }
                if ((gt && next <= current) || (lt && next >= current)) continue;
                result = next;
                if (next != current) {
                    write(c, z, member, next);
                    written.put(name, next);
                    updated++;
                }
            } else {
                if (xx) continue;
                write(c, z, member, score);
                written.put(name, score);
                result = score;
                added++;
            }
        }
        if (added > 0) z.store(c, z.count() + added);
        if (incr) {
            if (result == null) c.r.nil();
            else c.r.score(formatted(result));
        } else {
            c.r.integer(ch ? added + updated : added);
        }
    }

    /** ZINCRBY key increment member: ZADD INCR of one pair. */
    static void zincrby(Call c) {
        zadd(c, true);
    }

    static void zrem(Call c) {
        CollectionRef z = CollectionRef.readable(c, 1, ZSET);
        if (z == null) return;
        long removed = 0;
        for (int i = 2; i < c.size() && z.exists(); i++) {
            byte[] element = z.element(c.arg(i));
            if (c.ks.exists(element)) {
                c.ks.delete(element);
                removed++;
            }
        }
        if (removed > 0) z.store(c, z.count() - removed);
        c.r.integer(removed);
    }

    static void zscore(Call c) {
        CollectionRef z = CollectionRef.readable(c, 1, ZSET);
        if (z == null) return;
        byte[] value = z.exists() ? c.ks.value(z.element(c.arg(2))) : null;
        c.r.score(value == null ? null : formatted(Scores.decode(value)));
    }

    static void zmscore(Call c) {
        CollectionRef z = CollectionRef.readable(c, 1, ZSET);
        if (z == null) return;
        c.r.array(c.size() - 2);
        for (int i = 2; i < c.size(); i++) {
            byte[] value = z.exists() ? c.ks.value(z.element(c.arg(i))) : null;
            c.r.score(value == null ? null : formatted(Scores.decode(value)));
        }
    }

    static void zcard(Call c) {
        CollectionRef z = CollectionRef.readable(c, 1, ZSET);
        if (z != null) c.r.integer(z.count());
    }

    /** A score bound: the value, and whether it excludes it ("(1.5"). */
    private record Bound(double value, boolean exclusive) {
        static Bound parse(String text) {
            boolean exclusive = text.startsWith("(");
            Double v = ZSetCommands.parse(exclusive ? text.substring(1) : text);
            return v == null ? null : new Bound(v, exclusive);
        }

        boolean belowOrAt(double score) { // as a minimum
            return exclusive ? score > value : score >= value;
        }

        boolean aboveOrAt(double score) { // as a maximum
            return exclusive ? score < value : score <= value;
        }
    }

    /** A lex bound: "-", "+", "[x" or "(x". */
    private record Lex(byte[] value, boolean exclusive, int infinite) {
        static Lex parse(byte[] text) {
            if (text.length == 1 && text[0] == '-') return new Lex(null, false, -1);
            if (text.length == 1 && text[0] == '+') return new Lex(null, false, 1);
            if (text.length == 0 || (text[0] != '[' && text[0] != '(')) return null;
            return new Lex(Arrays.copyOfRange(text, 1, text.length), text[0] == '(', 0);
        }

        boolean asMin(byte[] m) {
            if (infinite != 0) return infinite < 0;
            int cmp = Arrays.compareUnsigned(m, value);
            return exclusive ? cmp > 0 : cmp >= 0;
        }

        boolean asMax(byte[] m) {
            if (infinite != 0) return infinite > 0;
            int cmp = Arrays.compareUnsigned(m, value);
            return exclusive ? cmp < 0 : cmp <= 0;
        }

        /** Whether no string can lie in [min, max]: min above max, or equal with either end exclusive (Redis's test). */
        static boolean empty(Lex min, Lex max) {
            int cmp;
            if (min.infinite != 0 || max.infinite != 0) cmp = Integer.compare(rank(min), rank(max));
            else cmp = Arrays.compareUnsigned(min.value, max.value);
            return cmp > 0 || (cmp == 0 && (min.exclusive || max.exclusive));
        }

        /** -1 for "-", 1 for "+", 0 for a string: enough to order a bound against an infinite one. */
        private static int rank(Lex l) {
            return l.infinite;
        }
    }

    static void zcount(Call c) {
        Bound min = Bound.parse(c.text(2));
        Bound max = Bound.parse(c.text(3));
        if (min == null || max == null) {
            c.r.error(RANGE_NOT_FLOAT);
            return;
        }
        CollectionRef z = CollectionRef.readable(c, 1, ZSET);
        if (z == null) return;
        long n = 0;
        for (Scores.Scored s : scores(c, z).order) if (min.belowOrAt(s.score()) && max.aboveOrAt(s.score())) n++;
        c.r.integer(n);
    }

    static void zrank(Call c, boolean reverse) {
        CollectionRef z = CollectionRef.readable(c, 1, ZSET);
        if (z == null) return;
        List<Scores.Scored> order = scores(c, z).ascending();
        for (int i = 0; i < order.size(); i++) {
            if (Arrays.equals(order.get(i).member(), c.arg(2))) {
                c.r.integer(reverse ? order.size() - 1 - i : i);
                return;
            }
        }
        c.r.nil();
    }

    /** What a range command asks for: by rank, by score or by lex, reversed or not, with a limit. */
    private static List<Scores.Scored> select(Call c, CollectionRef z, String by, boolean reverse, String from, String to, byte[] fromBytes,
            byte[] toBytes, long offset, long limit) {
        List<Scores.Scored> order = new ArrayList<>(scores(c, z).ascending());
        if (reverse) java.util.Collections.reverse(order);
        List<Scores.Scored> out = new ArrayList<>();
        switch (by) {
            case "RANK" -> {
                long n = order.size();
                long start = Long.parseLong(from), stop = Long.parseLong(to);
                if (start < 0) start = Math.max(0, n + start);
                if (stop < 0) stop = n + stop;
                if (stop >= n) stop = n - 1;
                for (long i = start; i <= stop; i++) out.add(order.get((int) i));
                return out;
            }
            case "SCORE" -> {
                Bound min = Bound.parse(reverse ? to : from), max = Bound.parse(reverse ? from : to);
                for (Scores.Scored s : order) if (min.belowOrAt(s.score()) && max.aboveOrAt(s.score())) out.add(s);
            }
            default -> {
                Lex min = Lex.parse(reverse ? toBytes : fromBytes), max = Lex.parse(reverse ? fromBytes : toBytes);
                out = byLex(reverse ? reversed(order) : order, min, max, reverse);
            }
        }
        if (offset < 0) return List.of();
        List<Scores.Scored> limited = new ArrayList<>();
        for (long i = offset; i < out.size() && (limit < 0 || limited.size() < limit); i++) limited.add(out.get((int) i));
        return limited;
    }

    private static List<Scores.Scored> reversed(List<Scores.Scored> list) {
        List<Scores.Scored> copy = new ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }

    /**
     * A lex range as Redis walks it, which assumes every score is equal: nothing if the range is
     * empty or lies past the set's first or last member; else, from the first member (in score
     * order; the last for REV) inside the near bound, every member up to the first one outside
     * the far bound. With unequal scores this is what Redis answers, not a lex filter.
     */
    private static List<Scores.Scored> byLex(List<Scores.Scored> ascending, Lex min, Lex max, boolean reverse) {
        List<Scores.Scored> out = new ArrayList<>();
        if (ascending.isEmpty() || Lex.empty(min, max)) return out;
        if (!min.asMin(ascending.getLast().member()) || !max.asMax(ascending.getFirst().member())) return out;
        if (!reverse) {
            int i = 0;
            while (i < ascending.size() && !min.asMin(ascending.get(i).member())) i++;
            for (; i < ascending.size() && max.asMax(ascending.get(i).member()); i++) out.add(ascending.get(i));
        } else {
            int i = ascending.size() - 1;
            while (i >= 0 && !max.asMax(ascending.get(i).member())) i--;
            for (; i >= 0 && min.asMin(ascending.get(i).member()); i--) out.add(ascending.get(i));
        }
        return out;
    }

    /**
     * ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES], and ZRANGESTORE
     * dst src ... (store true: argument 1 is the destination, the range starts at argument 2).
     */
    static void zrange(Call c, boolean store) {
        int src = store ? 2 : 1;
        String by = "RANK";
        boolean reverse = false, withScores = false;
        long offset = 0, limit = -1;
        boolean limited = false;
        for (int i = src + 3; i < c.size(); i++) {
            String opt = c.upper(i);
            if (opt.equals("BYSCORE")) by = "SCORE";
            else if (opt.equals("BYLEX")) by = "LEX";
            else if (opt.equals("REV")) reverse = true;
            else if (opt.equals("WITHSCORES") && !store) withScores = true;
            else if (opt.equals("LIMIT") && i + 2 < c.size()) {
                if (!c.isInteger(i + 1) || !c.isInteger(i + 2)) {
                    c.r.error(StringCommands.NOT_INTEGER);
                    return;
                }
                offset = c.integer(i + 1);
                limit = c.integer(i + 2);
                limited = true;
                i += 2;
            } else {
                c.r.error(StringCommands.SYNTAX);
                return;
            }
        }
        if (limited && by.equals("RANK")) {
            c.r.error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
            return;
        }
        if (withScores && by.equals("LEX")) {
            c.r.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
            return;
        }
        String from = c.text(src + 1), to = c.text(src + 2);
        switch (by) {
            case "RANK" -> {
                if (!c.isInteger(src + 1) || !c.isInteger(src + 2)) {
                    c.r.error(StringCommands.NOT_INTEGER);
                    return;
                }
            }
            case "SCORE" -> {
                if (Bound.parse(from) == null || Bound.parse(to) == null) {
                    c.r.error(RANGE_NOT_FLOAT);
                    return;
                }
            }
            default -> {
                if (Lex.parse(c.arg(src + 1)) == null || Lex.parse(c.arg(src + 2)) == null) {
                    c.r.error(LEX_RANGE);
                    return;
                }
            }
        }
        CollectionRef z = CollectionRef.readable(c, src, ZSET);
        if (z == null) return;
        List<Scores.Scored> found = select(c, z, by, reverse, from, to, c.arg(src + 1), c.arg(src + 2), offset, limit);
        if (store) {
            replaceWith(c, 1, found);
            c.r.integer(found.size());
            return;
        }
        if (withScores) {
            scoredArray(c.r, found);
            return;
        }
        c.r.array(found.size());
        for (Scores.Scored s : found) c.r.bulk(s.member());
    }

    /**
     * The older range commands as the ZRANGE they are: ZREVRANGE, ZRANGEBYSCORE, ZREVRANGEBYSCORE,
     * ZRANGEBYLEX, ZREVRANGEBYLEX (clients such as Jedis still send them).
     */
    static void legacyRange(Call c, String by, boolean reverse) {
        List<byte[]> args = new ArrayList<>(c.a.subList(0, 4));
        if (!by.isEmpty()) args.add(by.getBytes(StandardCharsets.US_ASCII));
        if (reverse) args.add("REV".getBytes(StandardCharsets.US_ASCII));
        args.addAll(c.a.subList(4, c.size()));
        zrange(new Call(c.session, args, c.ks, c.r, c.collections), false);
    }

    /** ZLEXCOUNT key min max. */
    static void zlexcount(Call c) {
        Lex min = Lex.parse(c.arg(2));
        Lex max = Lex.parse(c.arg(3));
        if (min == null || max == null) {
            c.r.error(LEX_RANGE);
            return;
        }
        CollectionRef z = CollectionRef.readable(c, 1, ZSET);
        if (z == null) return;
        c.r.integer(byLex(scores(c, z).ascending(), min, max, false).size());
    }

    /** ZUNIONSTORE and ZINTERSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX], in Redis's order of checks. */
    static void zstore(Call c, boolean union) {
        String name = union ? "zunionstore" : "zinterstore";
        if (!c.isInteger(2)) {
            c.r.error(StringCommands.NOT_INTEGER);
            return;
        }
        long n = c.integer(2);
        if (n < 1) {
            c.r.error("ERR at least 1 input key is needed for '" + name + "' command");
            return;
        }
        if (n > c.size() - 3) {
            c.r.error(StringCommands.SYNTAX);
            return;
        }
        List<java.util.Map<java.nio.ByteBuffer, Scores.Scored>> inputs = new ArrayList<>();
        for (int i = 3; i < 3 + n; i++) {
            CollectionRef z = CollectionRef.find(c, i, ZSET);
            java.util.Map<java.nio.ByteBuffer, Scores.Scored> members = new java.util.LinkedHashMap<>();
            if (z.wrongType()) {
                CollectionRef set = CollectionRef.find(c, i, CollectionKeys.Type.SET); // a set counts, each member at score 1
                if (set.wrongType()) {
                    c.r.error(HashCommands.WRONGTYPE);
                    return;
                }
                for (byte[] memberName : set.members(c)) {
                    byte[] m = SetCommands.member(c, set, memberName);
                    members.put(java.nio.ByteBuffer.wrap(m), new Scores.Scored(1, m));
                }
            } else {
                for (Scores.Scored s : scores(c, z).ascending()) members.put(java.nio.ByteBuffer.wrap(s.member()), s);
            }
            inputs.add(members);
        }
        double[] weights = new double[(int) n];
        java.util.Arrays.fill(weights, 1);
        String aggregate = "SUM";
        int j = 3 + (int) n;
        while (j < c.size()) {
            int remaining = c.size() - j;
            if (remaining >= n + 1 && c.upper(j).equals("WEIGHTS")) {
                for (int i = 0; i < n; i++) {
                    Double w = parse(c.text(j + 1 + i));
                    if (w == null) {
                        c.r.error("ERR weight value is not a float");
                        return;
                    }
                    weights[i] = w;
                }
                j += 1 + (int) n;
            } else if (remaining >= 2 && c.upper(j).equals("AGGREGATE") && c.upper(j + 1).matches("SUM|MIN|MAX")) {
                aggregate = c.upper(j + 1);
                j += 2;
            } else {
                c.r.error(StringCommands.SYNTAX);
                return;
            }
        }
        java.util.Map<java.nio.ByteBuffer, double[]> result = new java.util.LinkedHashMap<>();
        java.util.Map<java.nio.ByteBuffer, byte[]> names = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            for (var e : inputs.get(i).entrySet()) {
                if (!union && i > 0 && !result.containsKey(e.getKey())) continue;
                double score = weights[i] * e.getValue().score();
                if (Double.isNaN(score)) score = 0; // inf times 0, as Redis
                double[] acc = result.get(e.getKey());
                names.put(e.getKey(), e.getValue().member());
                if (acc == null) {
                    if (!union && i > 0) continue;
                    result.put(e.getKey(), new double[] {score, 1});
                } else {
                    acc[0] = switch (aggregate) {
                        case "MIN" -> Math.min(acc[0], score);
                        case "MAX" -> Math.max(acc[0], score);
                        default -> Double.isNaN(acc[0] + score) ? 0 : acc[0] + score;
                    };
                    acc[1]++;
                }
            }
        }
        List<Scores.Scored> members = new ArrayList<>();
        for (var e : result.entrySet()) {
            if (!union && e.getValue()[1] < n) continue; // in every input, for an intersection
            members.add(new Scores.Scored(e.getValue()[0], names.get(e.getKey())));
        }
        replaceWith(c, 1, members);
        c.r.integer(members.size());
    }

    /** Replaces whatever argument {@code arg} names with a sorted set of {@code members} (deleted when empty). */
    private static void replaceWith(Call c, int arg, List<Scores.Scored> members) {
        KeyCommands.deleteAnyKind(c, c.session.db, c.arg(arg));
        if (members.isEmpty()) return;
        CollectionRef target = new CollectionRef(c.metaKey(arg), null, 0, false).created(c, ZSET);
        for (Scores.Scored s : members) write(c, target, s.member(), s.score());
        target.store(c, members.size());
    }

    /** ZPOPMIN, ZPOPMAX key [count]. */
    static void zpop(Call c, boolean max) {
        if (c.size() > 3) {
            c.r.error(StringCommands.SYNTAX);
            return;
        }
        long count = 1;
        if (c.size() == 3) {
            count = c.integer(2);
            if (!c.isInteger(2) || count < 0) {
                c.r.error("ERR value is out of range, must be positive");
                return;
            }
        }
        CollectionRef z = CollectionRef.readable(c, 1, ZSET);
        if (z == null) return;
        java.util.Iterator<Scores.Scored> order = max ? scores(c, z).order.descendingIterator() : scores(c, z).order.iterator();
        List<Scores.Scored> popped = new ArrayList<>();
        while (popped.size() < count && order.hasNext()) popped.add(order.next()); // the first few, not a copy of the whole set
        for (Scores.Scored s : popped) c.ks.delete(z.element(s.member()));
        if (!popped.isEmpty()) z.store(c, z.count() - popped.size());
        if (c.size() == 3) { // with a count, RESP3 nests each member with its score, as WITHSCORES does
            scoredArray(c.r, popped);
            return;
        }
        c.r.array(2L * popped.size());
        for (Scores.Scored s : popped) {
            c.r.bulk(s.member());
            c.r.score(formatted(s.score()));
        }
    }

    /** Members with their scores: RESP3 pairs ([member, double] each), or RESP2's flat member, score, member, score. */
    private static void scoredArray(Reply r, List<Scores.Scored> scored) {
        r.array(r.resp3 ? scored.size() : 2L * scored.size());
        for (Scores.Scored s : scored) {
            if (r.resp3) r.array(2);
            r.bulk(s.member());
            r.score(formatted(s.score()));
        }
    }

    /**
     * BZPOPMIN's and BZPOPMAX's attempt: pops the lowest (highest) member of the first non-empty
     * sorted set among arguments {@code first..last} and answers [key, member, score]; false,
     * without a reply, when all are empty.
     */
    static boolean popFirstOf(Call c, boolean max, int first, int last) {
        for (int i = first; i <= last; i++) {
            CollectionRef z = CollectionRef.readable(c, i, ZSET);
            if (z == null) return true;
            if (!z.exists()) continue;
            Scores order = scores(c, z);
            Scores.Scored s = max ? order.order.last() : order.order.first();
            c.ks.delete(z.element(s.member()));
            z.store(c, z.count() - 1);
            c.r.array(3);
            c.r.bulk(c.arg(i));
            c.r.bulk(s.member());
            c.r.score(formatted(s.score()));
            return true;
        }
        return false;
    }

    /** ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX key min max. */
    static void zremrange(Call c, String by) {
        switch (by) {
            case "RANK" -> {
                if (!c.isInteger(2) || !c.isInteger(3)) {
                    c.r.error(StringCommands.NOT_INTEGER);
                    return;
                }
            }
            case "SCORE" -> {
                if (Bound.parse(c.text(2)) == null || Bound.parse(c.text(3)) == null) {
                    c.r.error(RANGE_NOT_FLOAT);
                    return;
                }
            }
            default -> {
                if (Lex.parse(c.arg(2)) == null || Lex.parse(c.arg(3)) == null) {
                    c.r.error(LEX_RANGE);
                    return;
                }
            }
        }
        CollectionRef z = CollectionRef.readable(c, 1, ZSET);
        if (z == null) return;
        List<Scores.Scored> found = select(c, z, by, false, c.text(2), c.text(3), c.arg(2), c.arg(3), 0, -1);
        for (Scores.Scored s : found) c.ks.delete(z.element(s.member()));
        if (!found.isEmpty()) z.store(c, z.count() - found.size());
        c.r.integer(found.size());
    }

    /** ZSCAN key cursor [MATCH pattern] [COUNT count]: members and their scores, in score order. */
    static void zscan(Call c) {
        CollectionScan.scan(c, ZSET, z -> scores(c, z).ascending(), (z, s) -> s.member(), (z, s) -> c.r.bulk(formatted(s.score())));
    }
}

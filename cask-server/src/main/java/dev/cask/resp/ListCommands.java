package dev.cask.resp;

import dev.cask.core.Cask;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Redis 7's list commands on the log (the blocking forms wait in {@link Blocking}): the elements of a list sit at
 * consecutive positions from its head (a list's metadata holds the head and the length), each
 * one record keyed by the list's version and its position. A push or a pop at either end writes
 * one element and the metadata; LSET one element; LINSERT and LREM rewrite the positions after
 * the change, as Redis moves the elements of its own listpack.
 */
final class ListCommands {
    private static final CollectionKeys.Type LIST = CollectionKeys.Type.LIST;

    private ListCommands() {}

    private static byte[] at(CollectionRef l, long position) {
        return l.element(CollectionKeys.position(position));
    }

    private static long head(CollectionRef l) {
        return l.meta().head();
    }

    /** The element at index {@code i} (0 is the head). */
    private static byte[] get(Call c, CollectionRef l, long i) {
        return valueAt(c, l, head(l) + i);
    }

    /** Whether this command may read the list cache: it is on, and the command has written nothing of its own (the cache holds none of that). */
    private static boolean mayUseCache(Call c) {
        return !c.ks.hasWrites() && c.collections.listWindows.enabled();
    }

    /** The element at {@code position}: from the list's window if one holds it, else from the log. */
    private static byte[] valueAt(Call c, CollectionRef l, long position) {
        if (mayUseCache(c)) {
            byte[] held = c.collections.listWindows.get(l.meta().version(), position);
            if (held != null) return held;
        }
        return c.ks.value(at(l, position));
    }

    /** Every element, head first. */
    private static List<byte[]> all(Call c, CollectionRef l) {
        List<byte[]> values = new ArrayList<>();
        for (long i = 0; i < l.count(); i++) values.add(get(c, l, i));
        return values;
    }

    /** Writes {@code values} as the whole list from its head, deleting positions it no longer uses. */
    private static void rewrite(Call c, CollectionRef l, List<byte[]> values) {
        long head = head(l);
        for (int i = 0; i < values.size(); i++) c.ks.put(at(l, head + i), values.get(i), 0);
        for (long i = values.size(); i < l.count(); i++) c.ks.delete(at(l, head + i));
        l.storeList(c, head, values.size());
    }

    /** LPUSH, RPUSH, LPUSHX, RPUSHX key element [element ...]. */
    static void push(Call c, boolean left, boolean onlyIfExists) {
        CollectionRef l = CollectionRef.readable(c, 1, LIST);
        if (l == null) return;
        if (!l.exists()) {
            if (onlyIfExists) {
                c.r.integer(0);
                return;
            }
            l = l.created(c, LIST);
        }
        long head = head(l);
        long count = l.count();
        for (int i = 2; i < c.size(); i++) {
            long position = left ? head - 1 : head + count;
            c.ks.checkPut(at(l, position), c.arg(i));
            c.ks.put(at(l, position), c.arg(i), 0);
            if (left) head--;
            count++;
        }
        l.storeList(c, head, count);
        c.r.integer(count);
    }

    /** LPOP, RPOP key [count]. */
    static void pop(Call c, boolean left) {
        if (c.size() > 3) {
            c.r.error("ERR wrong number of arguments for '" + (left ? "lpop" : "rpop") + "' command");
            return;
        }
        long wanted = 1;
        if (c.size() == 3) {
            wanted = c.integer(2);
            if (!c.isInteger(2) || wanted < 0) {
                c.r.error("ERR value is out of range, must be positive");
                return;
            }
        }
        CollectionRef l = CollectionRef.readable(c, 1, LIST);
        if (l == null) return;
        if (!l.exists()) {
            if (c.size() == 3) c.r.nilArray();
            else c.r.nil();
            return;
        }
        List<byte[]> popped = popFrom(c, l, left, wanted);
        if (c.size() == 2) {
            c.r.bulk(popped.getFirst());
            return;
        }
        c.r.array(popped.size());
        for (byte[] v : popped) c.r.bulk(v);
    }

    /** Removes and returns up to {@code n} elements from one end of an existing list. */
    private static List<byte[]> popFrom(Call c, CollectionRef l, boolean left, long n) {
        long head = head(l);
        long count = l.count();
        List<byte[]> popped = new ArrayList<>();
        while (popped.size() < n && count > 0) {
            long position = left ? head : head + count - 1;
            popped.add(valueAt(c, l, position));
            c.ks.delete(at(l, position));
            if (left) head++;
            count--;
        }
        if (!popped.isEmpty()) l.storeList(c, head, count);
        return popped;
    }

    static void llen(Call c) {
        CollectionRef l = CollectionRef.readable(c, 1, LIST);
        if (l != null) c.r.integer(l.count());
    }

    /** An index as Redis takes it: negative counts from the tail. */
    private static long index(long i, long count) {
        return i < 0 ? count + i : i;
    }

    /** LINDEX: the key before the index, as Redis (a missing key answers nil whatever the index). */
    static void lindex(Call c) {
        CollectionRef l = CollectionRef.readable(c, 1, LIST);
        if (l == null) return;
        if (!l.exists()) {
            c.r.nil();
            return;
        }
        if (!c.isInteger(2)) {
            c.r.error(StringCommands.NOT_INTEGER);
            return;
        }
        long i = index(c.integer(2), l.count());
        c.r.bulk(i < 0 || i >= l.count() ? null : get(c, l, i));
    }

    static void lrange(Call c) {
        if (!c.isInteger(2) || !c.isInteger(3)) {
            c.r.error(StringCommands.NOT_INTEGER);
            return;
        }
        CollectionRef l = CollectionRef.readable(c, 1, LIST);
        if (l == null) return;
        long count = l.count();
        long start = Math.max(0, index(c.integer(2), count));
        long end = Math.min(count - 1, index(c.integer(3), count));
        if (start > end || start >= count) {
            c.r.array(0);
            return;
        }
        c.r.array(end - start + 1);
        long head = head(l);
        long version = l.meta().version();
        ListWindows windows = c.collections.listWindows;
        boolean cached = mayUseCache(c);
        if (cached && windows.bulksInto(version, head + start, end - start + 1, c.r)) return;
        byte[] template = at(l, head + start);
        int batch = (int) Math.min(Cask.MAX_BATCH, end - start + 1);
        byte[][] keys = new byte[batch][];
        for (int k = 0; k < batch; k++) keys[k] = template.clone();
        boolean fill = cached && end - start + 1 <= ListWindows.MAX_ELEMENTS;
        ValuesRead read = fill ? new ValuesRead(c.r, (int) (end - start + 1)) : null;
        for (long from = start; from <= end; from += batch) { // in batches: the engine overlaps their keydir lookups
            int n = (int) Math.min(batch, end - from + 1);
            for (int k = 0; k < n; k++) CollectionKeys.setPosition(keys[k], head + from + k);
            if (read == null) c.ks.bulksInto(keys, n, c.r);
            else c.ks.valuesInto(keys, n, read);
        }
        if (read != null) windows.read(version, head + start, read.values, read.count);
    }

    /**
     * Writes the values of a read from the log as bulk strings, as {@link Reply#bulks} does, and
     * keeps a copy of each one short enough for the list's window (null for a longer one).
     */
    private static final class ValuesRead implements dev.cask.core.ValueSink {
        private final Reply r;
        final byte[][] values;
        int count;

        ValuesRead(Reply r, int n) {
            this.r = r;
            this.values = new byte[n][];
        }

        @Override
        public void value(int i, byte[] from, int offset, int n) {
            r.bulk(from, offset, n);
            if (n <= ListWindows.MAX_VALUE) values[count] = Arrays.copyOfRange(from, offset, offset + n);
            count++;
        }

        @Override
        public void missing(int i) {
            r.nil();
            count++; // a hole no list has: nothing is held for it
        }
    }

    /** LSET: the key before the index, as Redis. */
    static void lset(Call c) {
        CollectionRef l = CollectionRef.readable(c, 1, LIST);
        if (l == null) return;
        if (!l.exists()) {
            c.r.error(KeyCommands.NO_SUCH_KEY);
            return;
        }
        if (!c.isInteger(2)) {
            c.r.error(StringCommands.NOT_INTEGER);
            return;
        }
        long i = index(c.integer(2), l.count());
        if (i < 0 || i >= l.count()) {
            c.r.error("ERR index out of range");
            return;
        }
        c.ks.checkPut(at(l, head(l) + i), c.arg(3));
        c.ks.put(at(l, head(l) + i), c.arg(3), 0);
        c.r.ok();
    }

    static void ltrim(Call c) {
        if (!c.isInteger(2) || !c.isInteger(3)) {
            c.r.error(StringCommands.NOT_INTEGER);
            return;
        }
        CollectionRef l = CollectionRef.readable(c, 1, LIST);
        if (l == null) return;
        if (l.exists()) {
            long count = l.count();
            long start = Math.max(0, index(c.integer(2), count));
            long end = Math.min(count - 1, index(c.integer(3), count));
            long head = head(l);
            if (start > end || start >= count) {
                for (long i = 0; i < count; i++) c.ks.delete(at(l, head + i));
                l.storeList(c, head, 0);
            } else {
                for (long i = 0; i < start; i++) c.ks.delete(at(l, head + i));
                for (long i = end + 1; i < count; i++) c.ks.delete(at(l, head + i));
                l.storeList(c, head + start, end - start + 1);
            }
        }
        c.r.ok();
    }

    /** LREM key count element: from the head for a positive count, from the tail for a negative one, all for 0. */
    static void lrem(Call c) {
        if (!c.isInteger(2)) {
            c.r.error(StringCommands.NOT_INTEGER);
            return;
        }
        long n = c.integer(2);
        CollectionRef l = CollectionRef.readable(c, 1, LIST);
        if (l == null) return;
        if (!l.exists()) {
            c.r.integer(0);
            return;
        }
        List<byte[]> values = all(c, l);
        byte[] element = c.arg(3);
        long limit = n == 0 ? Long.MAX_VALUE : Math.abs(n);
        long removed = 0;
        List<byte[]> kept = new ArrayList<>(values);
        if (n >= 0) {
            for (int i = 0; i < kept.size() && removed < limit; ) {
                if (Arrays.equals(kept.get(i), element)) {
                    kept.remove(i);
                    removed++;
                } else {
                    i++;
                }
            }
        } else {
            for (int i = kept.size() - 1; i >= 0 && removed < limit; i--) {
                if (Arrays.equals(kept.get(i), element)) {
                    kept.remove(i);
                    removed++;
                }
            }
        }
        if (removed > 0) rewrite(c, l, kept);
        c.r.integer(removed);
    }

    /** LINSERT key BEFORE|AFTER pivot element. */
    static void linsert(Call c) {
        String where = c.upper(2);
        if (!where.equals("BEFORE") && !where.equals("AFTER")) {
            c.r.error(StringCommands.SYNTAX);
            return;
        }
        CollectionRef l = CollectionRef.readable(c, 1, LIST);
        if (l == null) return;
        if (!l.exists()) {
            c.r.integer(0);
            return;
        }
        List<byte[]> values = all(c, l);
        for (int i = 0; i < values.size(); i++) {
            if (Arrays.equals(values.get(i), c.arg(3))) {
                c.ks.checkPut(at(l, head(l)), c.arg(4));
                values.add(where.equals("BEFORE") ? i : i + 1, c.arg(4));
                rewrite(c, l, values);
                c.r.integer(values.size());
                return;
            }
        }
        c.r.integer(-1);
    }

    /** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. */
    static void lpos(Call c) {
        long rank = 1;
        long count = -1;
        long maxLen = 0;
        for (int i = 3; i < c.size(); i += 2) {
            String opt = c.upper(i);
            if (i + 1 >= c.size()) {
                c.r.error(StringCommands.SYNTAX);
                return;
            }
            long v = c.integer(i + 1);
            if (!c.isInteger(i + 1)) {
                c.r.error(StringCommands.NOT_INTEGER);
                return;
            }
            switch (opt) {
                case "RANK" -> {
                    if (v == 0) {
                        c.r.error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
                        return;
                    }
                    if (v == Long.MIN_VALUE) {
                        c.r.error("ERR value is out of range");
                        return;
                    }
                    rank = v;
                }
                case "COUNT" -> {
                    if (v < 0) {
                        c.r.error("ERR COUNT can't be negative");
                        return;
                    }
                    count = v;
                }
                case "MAXLEN" -> {
                    if (v < 0) {
                        c.r.error("ERR MAXLEN can't be negative");
                        return;
                    }
                    maxLen = v;
                }
                default -> {
                    c.r.error(StringCommands.SYNTAX);
                    return;
                }
            }
        }
        CollectionRef l = CollectionRef.readable(c, 1, LIST);
        if (l == null) return;
        List<Long> found = new ArrayList<>();
        long total = l.count();
        long skip = Math.abs(rank) - 1;
        long wanted = count < 0 ? 1 : count == 0 ? Long.MAX_VALUE : count;
        for (long step = 0; step < total && (maxLen == 0 || step < maxLen) && found.size() < wanted; step++) {
            long i = rank > 0 ? step : total - 1 - step;
            if (Arrays.equals(get(c, l, i), c.arg(2))) {
                if (skip > 0) skip--;
                else found.add(i);
            }
        }
        if (count < 0) {
            if (found.isEmpty()) c.r.nil();
            else c.r.integer(found.getFirst());
            return;
        }
        c.r.array(found.size());
        for (long i : found) c.r.integer(i);
    }

    /** LMOVE source destination LEFT|RIGHT LEFT|RIGHT, and RPOPLPUSH (RIGHT LEFT). */
    static void lmove(Call c, boolean rpoplpush) {
        boolean fromLeft;
        boolean toLeft;
        if (rpoplpush) {
            fromLeft = false;
            toLeft = true;
        } else {
            boolean[] d = directions(c);
            if (d == null) return;
            fromLeft = d[0];
            toLeft = d[1];
        }
        if (!move(c, fromLeft, toLeft)) c.r.nil();
    }

    /**
     * Moves one element from the list of argument 1 to the list of argument 2 and answers it;
     * false, without a reply, when the source list does not exist (BLMOVE then waits).
     */
    static boolean move(Call c, boolean fromLeft, boolean toLeft) {
        CollectionRef src = CollectionRef.readable(c, 1, LIST);
        if (src == null) return true;
        if (!src.exists()) return false;
        CollectionRef dst = CollectionRef.readable(c, 2, LIST);
        if (dst == null) return true;
        byte[] value = popFrom(c, src, fromLeft, 1).getFirst();
        if (Arrays.equals(src.metaKey(), dst.metaKey())) dst = CollectionRef.find(c, 2, LIST); // the pop changed it
        if (!dst.exists()) dst = dst.created(c, LIST);
        long head = head(dst);
        long count = dst.count();
        long position = toLeft ? head - 1 : head + count;
        c.ks.put(at(dst, position), value, 0);
        dst.storeList(c, toLeft ? head - 1 : head, count + 1);
        c.r.bulk(value);
        return true;
    }

    /** The directions of LMOVE and BLMOVE at arguments 3 and 4: {fromLeft, toLeft}, or null after a syntax error. */
    static boolean[] directions(Call c) {
        String from = c.upper(3);
        String to = c.upper(4);
        if (!(from.equals("LEFT") || from.equals("RIGHT")) || !(to.equals("LEFT") || to.equals("RIGHT"))) {
            c.r.error(StringCommands.SYNTAX);
            return null;
        }
        return new boolean[] {from.equals("LEFT"), to.equals("LEFT")};
    }

    /**
     * BLPOP's and BRPOP's attempt: pops one element of the first non-empty list among arguments
     * {@code first..last} and answers [key, element]; false, without a reply, when all are empty.
     */
    static boolean popFirstOf(Call c, boolean left, int first, int last) {
        for (int i = first; i <= last; i++) {
            CollectionRef l = CollectionRef.readable(c, i, LIST);
            if (l == null) return true;
            if (!l.exists()) continue;
            byte[] value = popFrom(c, l, left, 1).getFirst();
            c.r.array(2);
            c.r.bulk(c.arg(i));
            c.r.bulk(value);
            return true;
        }
        return false;
    }
}

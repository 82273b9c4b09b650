package dev.cask.resp;

import dev.cask.core.KeyPattern;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Redis 7's set commands on the log: each member one record (an empty value) keyed by the set's
 * version, the set's metadata one more ({@link CollectionKeys}). As {@link HashCommands}: reads
 * and writes through the call's {@link KeySpace}, members listed from {@link Collections}.
 */
final class SetCommands {
    private static final byte[] EMPTY = new byte[0];
    private static final CollectionKeys.Type SET = CollectionKeys.Type.SET;

    private SetCommands() {}

    private static boolean isMember(Call c, CollectionRef s, byte[] member) {
        return s.exists() && c.ks.exists(s.element(member));
    }

    /** SADD key member [member ...]. */
    static void sadd(Call c) {
        CollectionRef s = CollectionRef.writable(c, 1, SET);
        if (s == null) return;
        long added = 0;
        for (int i = 2; i < c.size(); i++) {
            byte[] element = s.element(c.arg(i));
            c.ks.checkPut(element, EMPTY);
            if (!c.ks.exists(element)) {
                c.ks.put(element, EMPTY, 0);
                added++;
            }
        }
        if (added > 0) s.store(c, s.count() + added);
        c.r.integer(added);
    }

    static void srem(Call c) {
        CollectionRef s = CollectionRef.readable(c, 1, SET);
        if (s == null) return;
        long removed = 0;
        for (int i = 2; i < c.size() && s.exists(); i++) {
            byte[] element = s.element(c.arg(i));
            if (c.ks.exists(element)) {
                c.ks.delete(element);
                removed++;
            }
        }
        if (removed > 0) s.store(c, s.count() - removed);
        c.r.integer(removed);
    }

    static void sismember(Call c) {
        CollectionRef s = CollectionRef.readable(c, 1, SET);
        if (s != null) c.r.integer(isMember(c, s, c.arg(2)) ? 1 : 0);
    }

    static void smismember(Call c) {
        CollectionRef s = CollectionRef.readable(c, 1, SET);
        if (s == null) return;
        c.r.array(c.size() - 2);
        for (int i = 2; i < c.size(); i++) c.r.integer(isMember(c, s, c.arg(i)) ? 1 : 0);
    }

    static void scard(Call c) {
        CollectionRef s = CollectionRef.readable(c, 1, SET);
        if (s != null) c.r.integer(s.count());
    }

    static void smembers(Call c) {
        CollectionRef s = CollectionRef.readable(c, 1, SET);
        if (s == null) return;
        List<byte[]> members = s.members(c);
        c.r.setHeader(members.size());
        for (byte[] m : members) c.r.bulk(m);
    }

    /** SPOP key [count]: random members, removed. */
    static void spop(Call c) {
        if (c.size() > 3) {
            c.r.error(StringCommands.SYNTAX);
            return;
        }
        long count = 1;
        if (c.size() == 3) {
            if (!c.isInteger(2) || c.integer(2) < 0) {
                c.r.error("ERR value is out of range, must be positive");
                return;
            }
            count = c.integer(2);
        }
        CollectionRef s = CollectionRef.readable(c, 1, SET);
        if (s == null) return;
        List<byte[]> popped = s.randomDistinct(c, count);
        for (byte[] m : popped) c.ks.delete(s.element(m));
        if (!popped.isEmpty()) s.store(c, s.count() - popped.size());
        if (c.size() == 2) {
            c.r.bulk(popped.isEmpty() ? null : popped.getFirst());
            return;
        }
        c.r.setHeader(popped.size());
        for (byte[] m : popped) c.r.bulk(m);
    }

    /** SRANDMEMBER key [count]: distinct members for a positive count, repeats for a negative one, as Redis. */
    static void srandmember(Call c) {
        if (c.size() > 3) {
            c.r.error(StringCommands.SYNTAX);
            return;
        }
        if (c.size() == 3 && !c.isInteger(2)) {
            c.r.error(StringCommands.NOT_INTEGER);
            return;
        }
        CollectionRef s = CollectionRef.readable(c, 1, SET);
        if (s == null) return;
        List<byte[]> members = s.members(c);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (c.size() == 2) {
            c.r.bulk(members.isEmpty() ? null : members.get(random.nextInt(members.size())));
            return;
        }
        long count = c.integer(2);
        if (count < -(Long.MAX_VALUE / 2) || count > Long.MAX_VALUE / 2) {
            c.r.error("ERR value is out of range");
            return;
        }
        c.r.array(CollectionRef.picks(count, members.size()));
        CollectionRef.pick(members, count, c.r::bulk);
    }

    /** SMOVE source destination member, in Redis's order of checks. */
    static void smove(Call c) {
        CollectionRef from = CollectionRef.find(c, 1, SET);
        CollectionRef to = CollectionRef.find(c, 2, SET);
        if (!from.exists() && !from.wrongType()) {
            c.r.integer(0);
            return;
        }
        if (from.wrongType() || to.wrongType()) {
            c.r.error(HashCommands.WRONGTYPE);
            return;
        }
        byte[] member = c.arg(3);
        if (java.util.Arrays.equals(from.metaKey(), to.metaKey())) {
            c.r.integer(isMember(c, from, member) ? 1 : 0);
            return;
        }
        if (!isMember(c, from, member)) {
            c.r.integer(0);
            return;
        }
        c.ks.delete(from.element(member));
        from.store(c, from.count() - 1);
        CollectionRef target = to.exists() ? to : to.created(c, SET);
        if (!c.ks.exists(target.element(member))) {
            c.ks.put(target.element(member), EMPTY, 0);
            target.store(c, target.count() + 1);
        }
        c.r.integer(1);
    }

    /** What SINTER, SUNION and SDIFF compute. */
    enum Op {
        INTER, UNION, DIFF
    }

    /** The members of the sets of arguments {@code first} .. end under {@code op}; null after WRONGTYPE. */
    private static Map<ByteBuffer, byte[]> combine(Call c, Op op, int first, int last) {
        List<CollectionRef> sets = new ArrayList<>();
        for (int i = first; i <= last; i++) {
            CollectionRef s = CollectionRef.readable(c, i, SET);
            if (s == null) return null;
            sets.add(s);
        }
        Map<ByteBuffer, byte[]> result = new LinkedHashMap<>();
        for (byte[] m : sets.getFirst().members(c)) result.put(ByteBuffer.wrap(m), m);
        for (int i = 1; i < sets.size(); i++) {
            CollectionRef s = sets.get(i);
            switch (op) {
                case UNION -> {
                    for (byte[] m : s.members(c)) result.putIfAbsent(ByteBuffer.wrap(m), m);
                }
                case INTER -> result.values().removeIf(m -> !isMember(c, s, m));
                case DIFF -> result.values().removeIf(m -> isMember(c, s, m));
            }
        }
        return result;
    }

    static void combined(Call c, Op op) {
        Map<ByteBuffer, byte[]> result = combine(c, op, 1, c.size() - 1);
        if (result == null) return;
        c.r.setHeader(result.size());
        for (byte[] m : result.values()) c.r.bulk(m);
    }

    /** SINTERSTORE, SUNIONSTORE, SDIFFSTORE destination key [key ...]: the destination is replaced, whatever it held. */
    static void store(Call c, Op op) {
        Map<ByteBuffer, byte[]> result = combine(c, op, 2, c.size() - 1);
        if (result == null) return;
        KeyCommands.deleteAnyKind(c, c.session.db, c.arg(1)); // what was there goes, whatever its type; a set's members to the sweeper
        if (!result.isEmpty()) {
            CollectionRef target = new CollectionRef(c.metaKey(1), null, 0, false).created(c, SET);
            for (byte[] m : result.values()) c.ks.put(target.element(m), EMPTY, 0);
            target.store(c, result.size());
        }
        c.r.integer(result.size());
    }

    /** SINTERCARD numkeys key [key ...] [LIMIT limit]. */
    static void sintercard(Call c) {
        if (!c.isInteger(1) || c.integer(1) <= 0) {
            c.r.error("ERR numkeys should be greater than 0");
            return;
        }
        long n = c.integer(1);
        if (n > c.size() - 2) {
            c.r.error("ERR Number of keys can't be greater than number of args");
            return;
        }
        long limit = 0;
        for (int i = 2 + (int) n; i < c.size(); i++) {
            if (c.upper(i).equals("LIMIT") && i + 1 < c.size()) {
                limit = c.integer(++i);
                if (!c.isInteger(i) || limit < 0) { // Redis answers this for a word as well
                    c.r.error("ERR LIMIT can't be negative");
                    return;
                }
            } else {
                c.r.error(StringCommands.SYNTAX);
                return;
            }
        }
        Map<ByteBuffer, byte[]> result = combine(c, Op.INTER, 2, 1 + (int) n);
        if (result == null) return;
        c.r.integer(limit == 0 ? result.size() : Math.min(limit, result.size()));
    }

    /** SSCAN key cursor [MATCH pattern] [COUNT count]: members. */
    static void sscan(Call c) {
        CollectionScan.scan(c, SET, s -> s.members(c), member -> member, null);
    }
}

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
 * Redis 7's set commands on the log: each member one record keyed by the set's version and the
 * member's name, the set's metadata one more ({@link CollectionKeys}). A member of up to 32 bytes
 * is its own name (an empty value); a longer one is named by its digest and kept as the value
 * ({@link CollectionKeys#setMemberName}), so it is read back from disk when it is answered. As
 * {@link HashCommands}: reads and writes through the call's {@link KeySpace}, names listed from
 * {@link Collections}.
 */
final class SetCommands {
    private static final CollectionKeys.Type SET = CollectionKeys.Type.SET;

    private SetCommands() {}

    private static boolean isMember(Call c, CollectionRef s, byte[] member) {
        return s.exists() && c.ks.exists(element(s, member));
    }

    /** The stored key of set member {@code member}. */
    private static byte[] element(CollectionRef s, byte[] member) {
        return s.element(CollectionKeys.setMemberName(member));
    }

    /** Adds {@code member} to {@code s} (its element written whether or not it was there). */
    private static void put(Call c, CollectionRef s, byte[] member) {
        c.ks.put(element(s, member), CollectionKeys.setMemberValue(member), 0);
    }

    /** The member a name stands for: the name itself, or for a digest the element's value. */
    static byte[] member(Call c, CollectionRef s, byte[] name) {
        if (!CollectionKeys.isDigestName(name)) return name;
        byte[] member = c.ks.value(s.element(name));
        if (member == null) throw new IllegalStateException("set member named by a digest has no record: the member index and the log disagree");
        return member;
    }

    /** Every member of {@code s}, read back where a name is a digest. */
    private static List<byte[]> members(Call c, CollectionRef s) {
        List<byte[]> names = s.members(c);
        List<byte[]> members = new ArrayList<>(names.size());
        for (byte[] name : names) members.add(member(c, s, name));
        return members;
    }

    /** SADD key member [member ...]. */
    static void sadd(Call c) {
        CollectionRef s = CollectionRef.writable(c, 1, SET);
        if (s == null) return;
        long added = 0;
        for (int i = 2; i < c.size(); i++) {
            byte[] element = element(s, c.arg(i));
            c.ks.checkPut(element, CollectionKeys.setMemberValue(c.arg(i)));
            if (!c.ks.exists(element)) {
                put(c, s, c.arg(i));
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
            byte[] element = element(s, c.arg(i));
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
        List<byte[]> names = s.members(c);
        c.r.setHeader(names.size());
        for (byte[] name : names) c.r.bulk(member(c, s, name)); // one at a time: a long member is read as it is answered
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
        List<byte[]> popped = new ArrayList<>();
        for (byte[] name : s.randomDistinct(c, count)) popped.add(member(c, s, name)); // read before the delete
        for (byte[] m : popped) c.ks.delete(element(s, m));
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
        List<byte[]> names = s.members(c);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (c.size() == 2) {
            c.r.bulk(names.isEmpty() ? null : member(c, s, names.get(random.nextInt(names.size()))));
            return;
        }
        long count = c.integer(2);
        if (count < -(Long.MAX_VALUE / 2) || count > Long.MAX_VALUE / 2) {
            c.r.error("ERR value is out of range");
            return;
        }
        c.r.array(CollectionRef.picks(count, names.size()));
        CollectionRef.pick(names, count, name -> c.r.bulk(member(c, s, name)));
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
        c.ks.delete(element(from, member));
        from.store(c, from.count() - 1);
        CollectionRef target = to.exists() ? to : to.created(c, SET);
        if (!c.ks.exists(element(target, member))) {
            put(c, target, member);
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
        for (byte[] m : members(c, sets.getFirst())) result.put(ByteBuffer.wrap(m), m);
        for (int i = 1; i < sets.size(); i++) {
            CollectionRef s = sets.get(i);
            switch (op) {
                case UNION -> {
                    for (byte[] m : members(c, s)) result.putIfAbsent(ByteBuffer.wrap(m), m);
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
            for (byte[] m : result.values()) put(c, target, m);
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
        CollectionScan.scan(c, SET, s -> s.members(c), (s, name) -> member(c, s, name), null);
    }
}

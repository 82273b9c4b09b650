package dev.cask.resp;

import dev.cask.core.KeyPattern;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Redis 7's hash commands on the log: each field one record keyed by the hash's version, the
 * hash's metadata (type, version, field count, expiry) one more ({@link CollectionKeys}). Reads
 * and writes go through the call's {@link KeySpace}, so a command's writes are one batch and a
 * transaction's are too; the field list comes from {@link Collections}, with a transaction's own
 * writes laid over it.
 */
final class HashCommands {
    static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

    private final Collections collections;

    HashCommands(Collections collections) {
        this.collections = collections;
    }

    /** The hash at argument 1 as this command sees it. {@code meta} is null when there is none; {@code wrongType} when another type is there. */
    private record Hash(byte[] metaKey, CollectionKeys.Meta meta, long expiry, boolean wrongType) {
        boolean exists() {
            return meta != null;
        }
    }

    private static Hash hash(Call c) {
        byte[] metaKey = CollectionKeys.meta(c.session.db, c.arg(1));
        KeySpace.Value v = c.ks.read(metaKey);
        if (v == null) return new Hash(metaKey, null, 0, c.ks.exists(c.key(1)));
        CollectionKeys.Meta meta = CollectionKeys.decode(v.value());
        boolean wrong = meta == null || meta.type() != CollectionKeys.Type.HASH;
        return new Hash(metaKey, wrong ? null : meta, v.expiry(), wrong);
    }

    /** The hash for a read: null (after replying WRONGTYPE) if another type is there. */
    private static Hash readable(Call c) {
        Hash h = hash(c);
        if (h.wrongType()) {
            c.r.error(WRONGTYPE);
            return null;
        }
        return h;
    }

    /** The hash for a write, created (a new version, no fields yet) if it does not exist; null after WRONGTYPE. */
    private Hash writable(Call c) {
        Hash h = readable(c);
        if (h == null || h.exists()) return h;
        return new Hash(h.metaKey(), new CollectionKeys.Meta(CollectionKeys.Type.HASH, collections.newVersion(c.ks), 0), 0, false);
    }

    /** Writes the metadata with {@code count} fields, or deletes it when none are left (Redis deletes an empty hash). */
    private static void storeMeta(Call c, Hash h, long count) {
        if (count == 0) c.ks.delete(h.metaKey());
        else c.ks.put(h.metaKey(), CollectionKeys.encode(h.meta().withCount(count)), h.expiry());
    }

    private static byte[] field(Hash h, byte[] name) {
        return CollectionKeys.element(h.meta().version(), name);
    }

    private static byte[] get(Call c, Hash h, byte[] name) {
        return h.exists() ? c.ks.value(field(h, name)) : null;
    }

    /** HSET key field value [field value ...] and HMSET (which answers OK). */
    void hset(Call c, boolean hmset) {
        if (c.size() % 2 != 0) {
            c.r.error("ERR wrong number of arguments for '" + (hmset ? "hmset" : "hset") + "' command");
            return;
        }
        Hash h = writable(c);
        if (h == null) return;
        long count = h.meta().count();
        long added = 0;
        Set<ByteBuffer> seen = new HashSet<>();
        for (int i = 2; i < c.size(); i += 2) {
            byte[] element = field(h, c.arg(i));
            c.ks.checkPut(element, c.arg(i + 1));
            if (seen.add(ByteBuffer.wrap(c.arg(i))) && !c.ks.exists(element)) added++;
            c.ks.put(element, c.arg(i + 1), 0);
        }
        storeMeta(c, h, count + added);
        if (hmset) c.r.ok();
        else c.r.integer(added);
    }

    void hsetnx(Call c) {
        Hash h = writable(c);
        if (h == null) return;
        byte[] element = field(h, c.arg(2));
        if (c.ks.exists(element)) {
            c.r.integer(0);
            return;
        }
        c.ks.checkPut(element, c.arg(3));
        c.ks.put(element, c.arg(3), 0);
        storeMeta(c, h, h.meta().count() + 1);
        c.r.integer(1);
    }

    void hget(Call c) {
        Hash h = readable(c);
        if (h != null) c.r.bulk(get(c, h, c.arg(2)));
    }

    void hmget(Call c) {
        Hash h = readable(c);
        if (h == null) return;
        c.r.array(c.size() - 2);
        for (int i = 2; i < c.size(); i++) c.r.bulk(get(c, h, c.arg(i)));
    }

    void hdel(Call c) {
        Hash h = readable(c);
        if (h == null) return;
        if (!h.exists()) {
            c.r.integer(0);
            return;
        }
        long removed = 0;
        for (int i = 2; i < c.size(); i++) {
            byte[] element = field(h, c.arg(i));
            if (c.ks.exists(element)) {
                c.ks.delete(element);
                removed++;
            }
        }
        if (removed > 0) storeMeta(c, h, h.meta().count() - removed);
        c.r.integer(removed);
    }

    void hexists(Call c) {
        Hash h = readable(c);
        if (h != null) c.r.integer(h.exists() && c.ks.exists(field(h, c.arg(2))) ? 1 : 0);
    }

    void hlen(Call c) {
        Hash h = readable(c);
        if (h != null) c.r.integer(h.exists() ? h.meta().count() : 0);
    }

    void hstrlen(Call c) {
        Hash h = readable(c);
        if (h != null) c.r.integer(h.exists() ? Math.max(0, c.ks.length(field(h, c.arg(2)))) : 0);
    }

    /** HGETALL, HKEYS, HVALS: every field in the order the index holds them (Redis's order is its own, too). */
    void hgetall(Call c, boolean keys, boolean values) {
        Hash h = readable(c);
        if (h == null) return;
        List<byte[]> names = h.exists() ? fields(c, h) : List.of();
        if (keys && values) c.r.map(names.size());
        else c.r.array(names.size());
        for (byte[] name : names) {
            if (keys) c.r.bulk(name);
            if (values) c.r.bulk(get(c, h, name));
        }
    }

    /** The hash's field names: the index's, with this command's or transaction's own writes laid over it. */
    private List<byte[]> fields(Call c, Hash h) {
        long version = h.meta().version();
        Collections.Members m = collections.members(version);
        List<byte[]> names = new ArrayList<>(m.size());
        if (!c.ks.hasWrites()) {
            for (int i = 0; i < m.size(); i++) names.add(m.get(i));
            return names;
        }
        Set<ByteBuffer> seen = new HashSet<>();
        for (int i = 0; i < m.size(); i++) {
            seen.add(ByteBuffer.wrap(m.get(i)));
            if (c.ks.exists(CollectionKeys.element(version, m.get(i)))) names.add(m.get(i));
        }
        for (byte[] key : c.ks.writtenKeys()) {
            if (!CollectionKeys.isElement(key) || CollectionKeys.version(key) != version) continue;
            byte[] name = CollectionKeys.member(key);
            if (seen.add(ByteBuffer.wrap(name)) && c.ks.exists(key)) names.add(name);
        }
        return names;
    }

    void hincrby(Call c) {
        if (!c.isInteger(3)) {
            c.r.error(StringCommands.NOT_INTEGER);
            return;
        }
        long by = c.integer(3);
        Hash h = writable(c);
        if (h == null) return;
        byte[] element = field(h, c.arg(2));
        byte[] current = c.ks.value(element);
        long value = 0;
        if (current != null) {
            if (!Integers.valid(current)) {
                c.r.error("ERR hash value is not an integer");
                return;
            }
            value = Integers.parse(current);
        }
        long sum;
        try {
            sum = Math.addExact(value, by);
        } catch (ArithmeticException e) {
            c.r.error("ERR increment or decrement would overflow");
            return;
        }
        c.ks.put(element, Long.toString(sum).getBytes(StandardCharsets.US_ASCII), 0);
        storeMeta(c, h, h.meta().count() + (current == null ? 1 : 0));
        c.r.integer(sum);
    }

    void hincrbyfloat(Call c) {
        if (StringCommands.isInfinity(c.text(3))) {
            c.r.error("ERR value is NaN or Infinity");
            return;
        }
        BigDecimal incr = StringCommands.parseFloat(c.text(3));
        if (incr == null) {
            c.r.error(StringCommands.NOT_FLOAT);
            return;
        }
        Hash h = writable(c);
        if (h == null) return;
        byte[] element = field(h, c.arg(2));
        byte[] current = c.ks.value(element);
        BigDecimal value = BigDecimal.ZERO;
        if (current != null) {
            String text = new String(current, StandardCharsets.ISO_8859_1);
            if (StringCommands.isInfinity(text)) {
                c.r.error("ERR increment would produce NaN or Infinity");
                return;
            }
            value = StringCommands.parseFloat(text);
            if (value == null) {
                c.r.error("ERR hash value is not a float");
                return;
            }
        }
        BigDecimal sum = LongDouble.add(value, incr);
        if (sum == null) {
            c.r.error("ERR increment would produce NaN or Infinity");
            return;
        }
        byte[] bytes = LongDouble.format(sum).getBytes(StandardCharsets.US_ASCII);
        c.ks.put(element, bytes, 0);
        storeMeta(c, h, h.meta().count() + (current == null ? 1 : 0));
        c.r.bulk(bytes);
    }

    /** HRANDFIELD key [count [WITHVALUES]]: distinct fields for a positive count, repeats allowed for a negative one, as Redis. */
    void hrandfield(Call c) {
        if (c.size() > 4 || (c.size() == 4 && !c.upper(3).equals("WITHVALUES"))) {
            c.r.error(StringCommands.SYNTAX);
            return;
        }
        if (c.size() >= 3 && !c.isInteger(2)) {
            c.r.error(StringCommands.NOT_INTEGER);
            return;
        }
        Hash h = readable(c);
        if (h == null) return;
        List<byte[]> names = h.exists() ? fields(c, h) : List.of();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (c.size() == 2) {
            c.r.bulk(names.isEmpty() ? null : names.get(random.nextInt(names.size())));
            return;
        }
        long count = c.integer(2);
        boolean withValues = c.size() == 4;
        if (count < -(Long.MAX_VALUE / 2) || count > Long.MAX_VALUE / 2) {
            c.r.error("ERR value is out of range");
            return;
        }
        List<byte[]> picked = new ArrayList<>();
        if (!names.isEmpty() && count < 0) {
            for (long i = 0; i < -count; i++) picked.add(names.get(random.nextInt(names.size())));
        } else if (!names.isEmpty()) {
            List<byte[]> shuffled = new ArrayList<>(names);
            java.util.Collections.shuffle(shuffled, random);
            picked = shuffled.subList(0, (int) Math.min(count, shuffled.size()));
        }
        if (withValues && c.r.resp3) {
            c.r.array(picked.size());
            for (byte[] name : picked) {
                c.r.array(2);
                c.r.bulk(name);
                c.r.bulk(get(c, h, name));
            }
            return;
        }
        c.r.array(withValues ? 2 * picked.size() : picked.size());
        for (byte[] name : picked) {
            c.r.bulk(name);
            if (withValues) c.r.bulk(get(c, h, name));
        }
    }

    /** HSCAN key cursor [MATCH pattern] [COUNT count]: the cursor is a position in the field list. */
    void hscan(Call c) {
        if (!c.isInteger(2) || c.integer(2) < 0) {
            c.r.error("ERR invalid cursor");
            return;
        }
        long cursor = c.integer(2);
        Hash h = readable(c); // the key before the options, as Redis: a missing key answers an empty scan whatever follows
        if (h == null) return;
        if (!h.exists()) {
            c.r.array(2);
            c.r.bulk("0");
            c.r.array(0);
            return;
        }
        KeyPattern match = null;
        long count = 10;
        for (int i = 3; i < c.size(); i++) {
            String opt = c.upper(i);
            if (opt.equals("MATCH") && i + 1 < c.size()) {
                match = KeyPattern.of(c.arg(++i));
            } else if (opt.equals("COUNT") && i + 1 < c.size()) {
                if (!c.isInteger(++i)) {
                    c.r.error(StringCommands.NOT_INTEGER);
                    return;
                }
                count = c.integer(i);
                if (count < 1) {
                    c.r.error(StringCommands.SYNTAX);
                    return;
                }
            } else {
                c.r.error(StringCommands.SYNTAX);
                return;
            }
        }
        List<byte[]> names = h.exists() ? fields(c, h) : List.of();
        long end = Math.min(names.size(), cursor + count);
        List<byte[]> found = new ArrayList<>();
        for (long i = Math.min(cursor, names.size()); i < end; i++) {
            byte[] name = names.get((int) i);
            if (match == null || match.matches(name)) found.add(name);
        }
        c.r.array(2);
        c.r.bulk(Long.toString(end >= names.size() ? 0 : end).getBytes(StandardCharsets.US_ASCII));
        c.r.array(2 * found.size());
        for (byte[] name : found) {
            c.r.bulk(name);
            c.r.bulk(get(c, h, name));
        }
    }
}

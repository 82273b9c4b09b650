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

    private static CollectionRef readable(Call c) {
        return CollectionRef.readable(c, 1, CollectionKeys.Type.HASH);
    }

    private static CollectionRef writable(Call c) {
        return CollectionRef.writable(c, 1, CollectionKeys.Type.HASH);
    }

    private static byte[] get(Call c, CollectionRef h, byte[] name) {
        return h.exists() ? c.ks.value(h.element(name)) : null;
    }

    /** HSET key field value [field value ...] and HMSET (which answers OK). */
    void hset(Call c, boolean hmset) {
        if (c.size() % 2 != 0) {
            c.r.error("ERR wrong number of arguments for '" + (hmset ? "hmset" : "hset") + "' command");
            return;
        }
        CollectionRef h = writable(c);
        if (h == null) return;
        long count = h.count();
        long added = 0;
        Set<ByteBuffer> seen = new HashSet<>();
        for (int i = 2; i < c.size(); i += 2) {
            byte[] element = h.element(c.arg(i));
            c.ks.checkPut(element, c.arg(i + 1));
            if (seen.add(ByteBuffer.wrap(c.arg(i))) && !c.ks.exists(element)) added++;
            c.ks.put(element, c.arg(i + 1), 0);
        }
        h.store(c, count + added);
        if (hmset) c.r.ok();
        else c.r.integer(added);
    }

    void hsetnx(Call c) {
        CollectionRef h = writable(c);
        if (h == null) return;
        byte[] element = h.element(c.arg(2));
        if (c.ks.exists(element)) {
            c.r.integer(0);
            return;
        }
        c.ks.checkPut(element, c.arg(3));
        c.ks.put(element, c.arg(3), 0);
        h.store(c, h.count() + 1);
        c.r.integer(1);
    }

    void hget(Call c) {
        CollectionRef h = readable(c);
        if (h != null) c.r.bulk(get(c, h, c.arg(2)));
    }

    void hmget(Call c) {
        CollectionRef h = readable(c);
        if (h == null) return;
        c.r.array(c.size() - 2);
        for (int i = 2; i < c.size(); i++) c.r.bulk(get(c, h, c.arg(i)));
    }

    void hdel(Call c) {
        CollectionRef h = readable(c);
        if (h == null) return;
        if (!h.exists()) {
            c.r.integer(0);
            return;
        }
        long removed = 0;
        for (int i = 2; i < c.size(); i++) {
            byte[] element = h.element(c.arg(i));
            if (c.ks.exists(element)) {
                c.ks.delete(element);
                removed++;
            }
        }
        if (removed > 0) h.store(c, h.count() - removed);
        c.r.integer(removed);
    }

    void hexists(Call c) {
        CollectionRef h = readable(c);
        if (h != null) c.r.integer(h.exists() && c.ks.exists(h.element(c.arg(2))) ? 1 : 0);
    }

    void hlen(Call c) {
        CollectionRef h = readable(c);
        if (h != null) c.r.integer(h.exists() ? h.count() : 0);
    }

    void hstrlen(Call c) {
        CollectionRef h = readable(c);
        if (h != null) c.r.integer(h.exists() ? Math.max(0, c.ks.length(h.element(c.arg(2)))) : 0);
    }

    /** HGETALL, HKEYS, HVALS: every field in the order the index holds them (Redis's order is its own, too). */
    void hgetall(Call c, boolean keys, boolean values) {
        CollectionRef h = readable(c);
        if (h == null) return;
        List<byte[]> names = h.exists() ? h.members(c) : List.of();
        if (keys && values) c.r.map(names.size());
        else c.r.array(names.size());
        for (byte[] name : names) {
            if (keys) c.r.bulk(name);
            if (values) c.r.bulk(get(c, h, name));
        }
    }

    void hincrby(Call c) {
        if (!c.isInteger(3)) {
            c.r.error(StringCommands.NOT_INTEGER);
            return;
        }
        long by = c.integer(3);
        CollectionRef h = writable(c);
        if (h == null) return;
        byte[] element = h.element(c.arg(2));
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
        h.store(c, h.count() + (current == null ? 1 : 0));
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
        CollectionRef h = writable(c);
        if (h == null) return;
        byte[] element = h.element(c.arg(2));
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
        h.store(c, h.count() + (current == null ? 1 : 0));
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
        CollectionRef h = readable(c);
        if (h == null) return;
        List<byte[]> names = h.exists() ? h.members(c) : List.of();
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
        long n = CollectionRef.picks(count, names.size());
        if (withValues && c.r.resp3) {
            c.r.array(n);
            CollectionRef.pick(names, count, name -> {
                c.r.array(2);
                c.r.bulk(name);
                c.r.bulk(get(c, h, name));
            });
            return;
        }
        c.r.array(withValues ? 2 * n : n);
        CollectionRef.pick(names, count, name -> {
            c.r.bulk(name);
            if (withValues) c.r.bulk(get(c, h, name));
        });
    }

    /** HSCAN key cursor [MATCH pattern] [COUNT count]: fields and their values. */
    void hscan(Call c) {
        CollectionScan.scan(c, CollectionKeys.Type.HASH, h -> h.members(c), (h, name) -> name, (h, name) -> c.r.bulk(get(c, h, name)));
    }
}

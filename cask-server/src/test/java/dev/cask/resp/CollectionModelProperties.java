package dev.cask.resp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cask.core.CaskOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;
import redis.clients.jedis.Jedis;

/**
 * Random changes to hashes, sets, lists and sorted sets, one property per type, against an
 * in-memory model, with restarts and merges in the sequence: after every step every key holds
 * what the model holds. The server runs on a real database with tiny segments (so changes span
 * many files, and merges rewrite them), and a restart rebuilds the collections' indexes from the
 * log alone.
 */
class CollectionModelProperties {
    private static final List<String> KEYS = List.of("a", "b");
    private static final Arbitrary<String> KEY = Arbitraries.of(KEYS);
    private static final Arbitrary<String> MEMBER = Arbitraries.of("m1", "m2", "m3", "m4", "m5", "a-longer-member-" + "x".repeat(30));
    private static final Arbitrary<String> DIGIT = Arbitraries.of("1", "2", "3", "-4", "50");

    private Path dir;
    private TestServer server;
    private Jedis jedis;
    /** The model: key to its collection (LinkedHashMap, HashSet, ArrayList or TreeMap by member), or absent. */
    private final Map<String, Object> model = new HashMap<>();

    @BeforeTry
    void start() throws IOException {
        dir = Files.createTempDirectory("cask-collections-model");
        model.clear();
        open();
    }

    private void open() throws IOException {
        server = TestServer.start(dir, CaskOptions.defaults().withMaxFileSize(2048), null, RespLimits.forValues(CaskOptions.DEFAULT_MAX_VALUE_SIZE),
                TestServer.defaultLimits());
        jedis = new Jedis("127.0.0.1", server.port());
    }

    private void close() {
        jedis.close();
        server.close();
    }

    @AfterTry
    void stop() throws IOException {
        close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The steps every type shares: delete, rename, restart, merge. */
    private static List<Tuple.Tuple2<Integer, Arbitrary<String[]>>> common() {
        return List.of(
                Tuple.of(1, KEY.map(k -> new String[] {"DEL", k})),
                Tuple.of(1, Combinators.combine(KEY, KEY).as((k1, k2) -> new String[] {"RENAME", k1, k2})),
                Tuple.of(1, Arbitraries.just(new String[] {"RESTART"})),
                Tuple.of(1, Arbitraries.just(new String[] {"MERGE"})));
    }

    private static Arbitrary<List<String[]>> steps(List<Tuple.Tuple2<Integer, Arbitrary<String[]>>> own) {
        List<Tuple.Tuple2<Integer, Arbitrary<String[]>>> all = new ArrayList<>(own);
        all.addAll(common());
        return Arbitraries.frequencyOf(all).list().ofMinSize(1).ofMaxSize(40);
    }

    @Provide
    Arbitrary<List<String[]>> hashSteps() {
        return steps(List.of(
                Tuple.of(6, Combinators.combine(KEY, MEMBER, DIGIT).as((k, f, v) -> new String[] {"HSET", k, f, v})),
                Tuple.of(3, Combinators.combine(KEY, MEMBER).as((k, f) -> new String[] {"HDEL", k, f})),
                Tuple.of(2, Combinators.combine(KEY, MEMBER, DIGIT).as((k, f, n) -> new String[] {"HINCRBY", k, f, n}))));
    }

    @Provide
    Arbitrary<List<String[]>> setSteps() {
        return steps(List.of(
                Tuple.of(6, Combinators.combine(KEY, MEMBER).as((k, m) -> new String[] {"SADD", k, m})),
                Tuple.of(3, Combinators.combine(KEY, MEMBER).as((k, m) -> new String[] {"SREM", k, m})),
                Tuple.of(2, Combinators.combine(KEY, KEY, MEMBER).as((k1, k2, m) -> new String[] {"SMOVE", k1, k2, m})),
                Tuple.of(1, KEY.map(k -> new String[] {"SPOP", k}))));
    }

    @Provide
    Arbitrary<List<String[]>> listSteps() {
        return steps(List.of(
                Tuple.of(4, Combinators.combine(Arbitraries.of("LPUSH", "RPUSH"), KEY, MEMBER).as((op, k, v) -> new String[] {op, k, v})),
                Tuple.of(2, Combinators.combine(Arbitraries.of("LPOP", "RPOP"), KEY).as((op, k) -> new String[] {op, k})),
                Tuple.of(1, Combinators.combine(KEY, Arbitraries.of("0", "-1", "1"), MEMBER).as((k, i, v) -> new String[] {"LSET", k, i, v})),
                Tuple.of(1, Combinators.combine(KEY, Arbitraries.of("0", "1", "-1"), MEMBER).as((k, n, v) -> new String[] {"LREM", k, n, v})),
                Tuple.of(1, Combinators.combine(KEY, MEMBER, MEMBER).as((k, p, v) -> new String[] {"LINSERT", k, "BEFORE", p, v})),
                Tuple.of(1, Combinators.combine(KEY, Arbitraries.of("1 -1", "0 1", "-2 -1")).as((k, r) -> new String[] {"LTRIM", k, r.split(" ")[0], r.split(" ")[1]})),
                Tuple.of(2, Combinators.combine(KEY, KEY, Arbitraries.of("LEFT", "RIGHT"), Arbitraries.of("LEFT", "RIGHT"))
                        .as((k1, k2, from, to) -> new String[] {"LMOVE", k1, k2, from, to}))));
    }

    @Provide
    Arbitrary<List<String[]>> zsetSteps() {
        return steps(List.of(
                Tuple.of(6, Combinators.combine(KEY, DIGIT, MEMBER).as((k, s, m) -> new String[] {"ZADD", k, s, m})),
                Tuple.of(2, Combinators.combine(KEY, MEMBER).as((k, m) -> new String[] {"ZREM", k, m})),
                Tuple.of(2, Combinators.combine(KEY, DIGIT, MEMBER).as((k, s, m) -> new String[] {"ZINCRBY", k, s, m})),
                Tuple.of(1, Combinators.combine(Arbitraries.of("ZPOPMIN", "ZPOPMAX"), KEY).as((op, k) -> new String[] {op, k}))));
    }

    @Property(tries = 25)
    void hashesFollowTheModel(@ForAll("hashSteps") List<String[]> steps) throws IOException {
        run(steps);
    }

    @Property(tries = 25)
    void setsFollowTheModel(@ForAll("setSteps") List<String[]> steps) throws IOException {
        run(steps);
    }

    @Property(tries = 25)
    void listsFollowTheModel(@ForAll("listSteps") List<String[]> steps) throws IOException {
        run(steps);
    }

    @Property(tries = 25)
    void sortedSetsFollowTheModel(@ForAll("zsetSteps") List<String[]> steps) throws IOException {
        run(steps);
    }

    private void run(List<String[]> steps) throws IOException {
        List<String> done = new ArrayList<>();
        for (String[] step : steps) {
            done.add(String.join(" ", step));
            apply(step);
            for (String key : KEYS) assertThat(stored(key)).as("%s after%n%s", key, String.join("\n", done)).isEqualTo(model.get(key));
        }
    }

    /** What the server holds at {@code key}, in the model's shape (null: nothing). */
    private Object stored(String key) {
        return switch (jedis.type(key)) {
            case "none" -> null;
            case "hash" -> new java.util.LinkedHashMap<>(jedis.hgetAll(key));
            case "set" -> new HashSet<>(jedis.smembers(key));
            case "list" -> new ArrayList<>(jedis.lrange(key, 0, -1));
            case "zset" -> {
                TreeMap<String, Double> scores = new TreeMap<>();
                for (redis.clients.jedis.resps.Tuple t : jedis.zrangeWithScores(key, 0, -1)) scores.put(t.getElement(), t.getScore());
                assertThat(jedis.zcard(key)).isEqualTo(scores.size());
                yield scores;
            }
            default -> throw new AssertionError("unexpected type " + jedis.type(key));
        };
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> hash(String key) {
        return (Map<String, String>) model.get(key);
    }

    @SuppressWarnings("unchecked")
    private Set<String> set(String key) {
        return (Set<String>) model.get(key);
    }

    @SuppressWarnings("unchecked")
    private List<String> list(String key) {
        return (List<String>) model.get(key);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Double> zset(String key) {
        return (Map<String, Double>) model.get(key);
    }

    /** Drops an empty collection from the model, as Redis deletes it. */
    private void prune(String key) {
        Object c = model.get(key);
        if ((c instanceof Map<?, ?> m && m.isEmpty()) || (c instanceof java.util.Collection<?> l && l.isEmpty())) model.remove(key);
    }

    private void apply(String[] s) throws IOException {
        String k = s.length > 1 ? s[1] : null;
        switch (s[0]) {
            case "RESTART" -> {
                close();
                open();
            }
            case "MERGE" -> server.cask.merge();
            case "DEL" -> {
                assertThat(jedis.del(k)).isEqualTo(model.remove(k) == null ? 0 : 1);
            }
            case "RENAME" -> {
                if (!model.containsKey(k)) return; // Redis answers "no such key": nothing to model
                jedis.rename(k, s[2]);
                model.put(s[2], model.remove(k));
            }
            case "HSET" -> {
                model.computeIfAbsent(k, x -> new java.util.LinkedHashMap<String, String>());
                Map<String, String> h = hash(k);
                assertThat(jedis.hset(k, s[2], s[3])).isEqualTo(h.put(s[2], s[3]) == null ? 1 : 0);
            }
            case "HDEL" -> {
                Map<String, String> h = hash(k);
                assertThat(jedis.hdel(k, s[2])).isEqualTo(h != null && h.remove(s[2]) != null ? 1 : 0);
                prune(k);
            }
            case "HINCRBY" -> {
                model.computeIfAbsent(k, x -> new java.util.LinkedHashMap<String, String>());
                Map<String, String> h = hash(k);
                long sum = Long.parseLong(h.getOrDefault(s[2], "0")) + Long.parseLong(s[3]);
                h.put(s[2], Long.toString(sum));
                assertThat(jedis.hincrBy(k, s[2], Long.parseLong(s[3]))).isEqualTo(sum);
            }
            case "SADD" -> {
                model.computeIfAbsent(k, x -> new HashSet<String>());
                Set<String> set = set(k);
                assertThat(jedis.sadd(k, s[2])).isEqualTo(set.add(s[2]) ? 1 : 0);
            }
            case "SREM" -> {
                Set<String> set = set(k);
                assertThat(jedis.srem(k, s[2])).isEqualTo(set != null && set.remove(s[2]) ? 1 : 0);
                prune(k);
            }
            case "SMOVE" -> {
                Set<String> from = set(k);
                boolean moved = from != null && from.contains(s[3]);
                assertThat(jedis.smove(k, s[2], s[3])).isEqualTo(moved ? 1 : 0);
                if (moved) {
                    from.remove(s[3]);
                    model.computeIfAbsent(s[2], x -> new HashSet<String>());
                    Set<String> to = set(s[2]);
                    to.add(s[3]);
                    prune(k);
                }
            }
            case "SPOP" -> { // which member is random: the model removes the one the server names
                Set<String> set = set(k);
                String popped = jedis.spop(k);
                if (set == null) {
                    assertThat(popped).isNull();
                } else {
                    assertThat(set.remove(popped)).as("popped %s from %s", popped, set).isTrue();
                    prune(k);
                }
            }
            case "LPUSH", "RPUSH" -> {
                model.computeIfAbsent(k, x -> new ArrayList<String>());
                List<String> l = list(k);
                if (s[0].equals("LPUSH")) l.addFirst(s[2]);
                else l.addLast(s[2]);
                assertThat(s[0].equals("LPUSH") ? jedis.lpush(k, s[2]) : jedis.rpush(k, s[2])).isEqualTo(l.size());
            }
            case "LPOP", "RPOP" -> {
                List<String> l = list(k);
                String expected = l == null ? null : s[0].equals("LPOP") ? l.removeFirst() : l.removeLast();
                assertThat(s[0].equals("LPOP") ? jedis.lpop(k) : jedis.rpop(k)).isEqualTo(expected);
                prune(k);
            }
            case "LSET" -> {
                List<String> l = list(k);
                int i = Integer.parseInt(s[2]);
                if (l == null || (i < 0 ? l.size() + i : i) >= l.size() || l.size() + i < 0) return; // an error, nothing changes
                l.set(i < 0 ? l.size() + i : i, s[3]);
                jedis.lset(k, i, s[3]);
            }
            case "LREM" -> {
                List<String> l = list(k);
                long n = Long.parseLong(s[2]);
                long removed = 0;
                if (l != null) {
                    if (n >= 0) {
                        for (var it = l.iterator(); it.hasNext() && (n == 0 || removed < n);) if (it.next().equals(s[3])) { it.remove(); removed++; }
                    } else {
                        for (var it = l.listIterator(l.size()); it.hasPrevious() && removed < -n;) if (it.previous().equals(s[3])) { it.remove(); removed++; }
                    }
                }
                assertThat(jedis.lrem(k, n, s[3])).isEqualTo(removed);
                prune(k);
            }
            case "LINSERT" -> {
                List<String> l = list(k);
                long expected = l == null ? 0 : l.indexOf(s[3]) < 0 ? -1 : l.size() + 1;
                if (expected > 0) l.add(l.indexOf(s[3]), s[4]);
                assertThat(jedis.linsert(k, redis.clients.jedis.args.ListPosition.BEFORE, s[3], s[4])).isEqualTo(expected);
            }
            case "LTRIM" -> {
                List<String> l = list(k);
                int start = Integer.parseInt(s[2]);
                int end = Integer.parseInt(s[3]);
                jedis.ltrim(k, start, end);
                if (l == null) return;
                int n = l.size();
                int from = Math.max(0, start < 0 ? n + start : start);
                int to = Math.min(n - 1, end < 0 ? n + end : end);
                List<String> kept = from > to ? new ArrayList<>() : new ArrayList<>(l.subList(from, to + 1));
                model.put(k, kept);
                prune(k);
            }
            case "LMOVE" -> {
                List<String> from = list(k);
                String expected = null;
                if (from != null) {
                    expected = s[3].equals("LEFT") ? from.removeFirst() : from.removeLast();
                    model.computeIfAbsent(s[2], x -> new ArrayList<String>());
                    List<String> to = list(s[2]);
                    if (s[4].equals("LEFT")) to.addFirst(expected);
                    else to.addLast(expected);
                    prune(k);
                }
                assertThat(jedis.lmove(k, s[2], redis.clients.jedis.args.ListDirection.valueOf(s[3]), redis.clients.jedis.args.ListDirection.valueOf(s[4])))
                        .isEqualTo(expected);
            }
            case "ZADD" -> {
                model.computeIfAbsent(k, x -> new TreeMap<String, Double>());
                Map<String, Double> z = zset(k);
                assertThat(jedis.zadd(k, Double.parseDouble(s[2]), s[3])).isEqualTo(z.put(s[3], Double.parseDouble(s[2])) == null ? 1 : 0);
            }
            case "ZREM" -> {
                Map<String, Double> z = zset(k);
                assertThat(jedis.zrem(k, s[2])).isEqualTo(z != null && z.remove(s[2]) != null ? 1 : 0);
                prune(k);
            }
            case "ZINCRBY" -> {
                model.computeIfAbsent(k, x -> new TreeMap<String, Double>());
                Map<String, Double> z = zset(k);
                double sum = z.getOrDefault(s[3], 0.0) + Double.parseDouble(s[2]);
                z.put(s[3], sum);
                assertThat(jedis.zincrby(k, Double.parseDouble(s[2]), s[3])).isEqualTo(sum);
            }
            case "ZPOPMIN", "ZPOPMAX" -> {
                Map<String, Double> z = zset(k);
                redis.clients.jedis.resps.Tuple popped = s[0].equals("ZPOPMIN") ? jedis.zpopmin(k) : jedis.zpopmax(k);
                if (z == null) {
                    assertThat(popped).isNull();
                    return;
                }
                String expected = null;
                for (Map.Entry<String, Double> e : z.entrySet()) { // lowest (highest) score, ties by member bytes
                    if (expected == null) {
                        expected = e.getKey();
                        continue;
                    }
                    int c = Double.compare(e.getValue(), z.get(expected));
                    if (s[0].equals("ZPOPMIN") ? c < 0 : c > 0 || c == 0) expected = e.getKey();
                }
                assertThat(popped.getElement()).isEqualTo(expected);
                z.remove(expected);
                prune(k);
            }
            default -> throw new AssertionError("no model for " + s[0]);
        }
    }
}

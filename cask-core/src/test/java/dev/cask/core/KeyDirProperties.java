package dev.cask.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The packed keydir against a HashMap: puts, removes (backward shift), growth, expiry slots, arena compaction. */
class KeyDirProperties {

    @Property(tries = 40)
    void behavesLikeAMap(@ForAll long seed, @ForAll @IntRange(min = 10, max = 3000) int keySpace) {
        Random random = new Random(seed);
        KeyDir keyDir = new KeyDir();
        Map<String, KeyDirEntry> model = new HashMap<>();
        for (int op = 0; op < 20_000; op++) {
            String key = "k" + random.nextInt(keySpace) + "x".repeat(random.nextInt(3) * 10);
            byte[] bytes = TestFiles.b(key);
            if (random.nextInt(3) == 0) {
                assertThat(keyDir.remove(bytes)).isEqualTo(model.remove(key));
            } else {
                long expiry = random.nextInt(4) == 0 ? random.nextLong(1, Long.MAX_VALUE) : 0;
                KeyDirEntry entry = new KeyDirEntry(1 + random.nextInt((1 << 24) - 1), random.nextLong(1L << 32), random.nextInt(Integer.MAX_VALUE), expiry);
                assertThat(keyDir.put(bytes, entry)).isEqualTo(model.put(key, entry));
            }
        }
        assertThat(keyDir.size()).isEqualTo(model.size());
        for (Map.Entry<String, KeyDirEntry> e : model.entrySet()) assertThat(keyDir.get(TestFiles.b(e.getKey()))).isEqualTo(e.getValue());
        // the batched lookup, over present and absent keys alike
        byte[][] batch = new byte[Cask.MAX_BATCH][];
        long[] out = new long[4 * batch.length];
        for (int i = 0; i < batch.length; i++) batch[i] = TestFiles.b("k" + random.nextInt(keySpace) + "x".repeat(random.nextInt(3) * 10));
        keyDir.getAll(batch, batch.length, new long[batch.length], out);
        for (int i = 0; i < batch.length; i++) {
            KeyDirEntry expected = model.get(TestFiles.s(batch[i]));
            KeyDirEntry found = out[4 * i] < 0 ? null : new KeyDirEntry((int) out[4 * i], out[4 * i + 1], (int) out[4 * i + 2], out[4 * i + 3]);
            assertThat(found).as(TestFiles.s(batch[i])).isEqualTo(expected);
        }
        Map<String, KeyDirEntry> seen = new HashMap<>();
        keyDir.forEach((k, v) -> seen.put(TestFiles.s(k), v));
        assertThat(seen).isEqualTo(model);
        long now = random.nextLong(1, Long.MAX_VALUE); // the keys-only walk leaves out what has expired by then
        java.util.List<String> walked = new java.util.ArrayList<>();
        keyDir.forEachKey(now, (b, off, len) -> walked.add(new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(walked).containsExactlyInAnyOrderElementsOf(
                model.entrySet().stream().filter(e -> e.getValue().expiry() == 0 || e.getValue().expiry() > now).map(Map.Entry::getKey).toList());
    }

    /**
     * SCAN's contract, stronger than Redis's: a key present for the whole walk is visited exactly
     * once, however the table grows, shrinks or churns between steps; a key visited was present at
     * some point.
     */
    @Property(tries = 20)
    void scanVisitsEveryStableKeyExactlyOnce(@ForAll long seed, @ForAll @IntRange(min = 0, max = 5000) int stableKeys,
                                             @ForAll @IntRange(min = 1, max = 300) int count) {
        Random random = new Random(seed);
        KeyDir keyDir = new KeyDir();
        java.util.Set<String> stable = new java.util.HashSet<>();
        for (int i = 0; i < stableKeys; i++) {
            stable.add("s" + i);
            keyDir.put(TestFiles.b("s" + i), new KeyDirEntry(1, i, 1, 0));
        }
        Map<String, Integer> visits = new HashMap<>();
        java.util.Set<String> everPresent = new java.util.HashSet<>(stable);
        long cursor = 0;
        int steps = 0;
        do {
            cursor = keyDir.scan(cursor, count, (k, v) -> visits.merge(TestFiles.s(k), 1, Integer::sum));
            int churn = random.nextInt(200); // transient keys come and go between steps, growing and shrinking the table
            for (int i = 0; i < churn; i++) {
                String key = "t" + random.nextInt(20_000);
                if (random.nextBoolean()) {
                    keyDir.put(TestFiles.b(key), new KeyDirEntry(1, 0, 1, 0));
                    everPresent.add(key);
                } else {
                    keyDir.remove(TestFiles.b(key));
                }
            }
            if (random.nextInt(10) == 0) keyDir.trim();
            if (random.nextInt(10) == 0) keyDir.ensureCapacity(keyDir.size() + random.nextInt(20_000));
            assertThat(++steps).isLessThan(1_000_000);
        } while (cursor != 0);
        for (String key : stable) assertThat(visits.get(key)).as(key).isEqualTo(1);
        assertThat(everPresent).containsAll(visits.keySet());
        visits.values().forEach(n -> assertThat(n).isEqualTo(1));
    }

    @Test
    void arenaCompactionKeepsEveryLiveKey() {
        KeyDir keyDir = new KeyDir();
        byte[] big = new byte[1000];
        for (int round = 0; round < 20; round++) { // ~20 MB of keys churned through a ~1 MB live set
            for (int i = 0; i < 1000; i++) {
                byte[] key = TestFiles.b(round + ":" + i + new String(big, 0, 200 + i % 700));
                keyDir.put(key, new KeyDirEntry(1, i, i, 0));
                if (round > 0) keyDir.remove(TestFiles.b((round - 1) + ":" + i + new String(big, 0, 200 + i % 700)));
            }
        }
        assertThat(keyDir.size()).isEqualTo(1000);
        for (int i = 0; i < 1000; i++) assertThat(keyDir.get(TestFiles.b("19:" + i + new String(big, 0, 200 + i % 700))).valueSize()).isEqualTo(i);
        assertThat(walk(keyDir)).hasSize(1000).allMatch(k -> k.startsWith("19:"));
    }

    private static java.util.List<String> walk(KeyDir keyDir) {
        java.util.List<String> walked = new java.util.ArrayList<>();
        keyDir.forEachKey(0, (b, off, len) -> walked.add(new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8)));
        return walked;
    }

    /** The keys-only walk goes in the order keys were first put: a collection's elements, written together, come together. */
    @Test
    void theKeyWalkGoesInTheOrderKeysWereFirstPut() {
        KeyDir keyDir = new KeyDir();
        java.util.List<String> expected = new java.util.ArrayList<>();
        for (int i = 0; i < 20_000; i++) { // several arena pages, and slices of the walk
            keyDir.put(TestFiles.b("key" + i), new KeyDirEntry(1, i, 1, 0));
            expected.add("key" + i);
        }
        keyDir.put(TestFiles.b("key7"), new KeyDirEntry(2, 0, 1, 0)); // a new value keeps the key where it was
        keyDir.remove(TestFiles.b("key8"));
        keyDir.put(TestFiles.b("key8"), new KeyDirEntry(1, 0, 1, 0)); // removed and put again: now the newest
        keyDir.put(TestFiles.b("key9"), new KeyDirEntry(1, 0, 1, 5_000)); // an expiry moves the key to a record with room for it
        expected.remove("key8");
        expected.remove("key9");
        expected.add("key8");
        expected.add("key9");
        assertThat(walk(keyDir)).containsExactlyElementsOf(expected);
        java.util.List<String> live = new java.util.ArrayList<>();
        keyDir.forEachKey(5_000, (b, off, len) -> live.add(new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(live).doesNotContain("key9").hasSize(expected.size() - 1); // expired at 5,000
    }

    /**
     * Deletes made by the visitor itself compact the arena in the middle of the walk: every key
     * present throughout is still visited (at most twice), and no deleted key's bytes come back.
     */
    @Test
    void aCompactionDuringTheKeyWalkMissesNoKeyPresentThroughout() {
        KeyDir keyDir = new KeyDir();
        String pad = "p".repeat(1000);
        for (int i = 0; i < 20_000; i++) keyDir.put(TestFiles.b("doomed" + i + pad), new KeyDirEntry(1, i, 1, 0)); // ~20 MB of arena
        java.util.Set<String> stable = new java.util.HashSet<>();
        for (int i = 0; i < 5_000; i++) {
            keyDir.put(TestFiles.b("stable" + i), new KeyDirEntry(1, i, 1, 0));
            stable.add("stable" + i);
        }
        Map<String, Integer> visits = new HashMap<>();
        java.util.Set<String> live = new java.util.HashSet<>(stable);
        for (int i = 0; i < 20_000; i++) live.add("doomed" + i + pad);
        int[] deleted = {0};
        keyDir.forEachKey(0, (b, off, len) -> {
            String key = new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8);
            visits.merge(key, 1, Integer::sum);
            if (key.startsWith("doomed") && deleted[0] < 20_000) { // each visit deletes two: garbage passes half the arena mid-walk
                for (int n = 0; n < 2; n++) {
                    String doomed = "doomed" + (19_999 - deleted[0]++) + pad;
                    keyDir.remove(TestFiles.b(doomed));
                    live.remove(doomed);
                }
            }
        });
        assertThat(deleted[0]).isGreaterThan(10_000);
        assertThat(visits.values()).as("the compaction came mid-walk: the rest went by slot, seeing some keys again").contains(2);
        for (String key : stable) assertThat(visits.get(key)).as(key).isBetween(1, 2);
        assertThat(walk(keyDir)).containsExactlyInAnyOrderElementsOf(live);
    }

    @Test
    void concurrentReadersNeverSeeAWrongEntry() throws Exception {
        KeyDir keyDir = new KeyDir();
        int keys = 50_000;
        // key i always maps to value position i: a reader must see either nothing (not yet written / removed) or exactly that
        Thread writer = new Thread(() -> {
            Random r = new Random(1);
            for (int n = 0; n < 400_000; n++) {
                int i = r.nextInt(keys);
                if (r.nextInt(4) == 0) keyDir.remove(TestFiles.b("key" + i));
                else keyDir.put(TestFiles.b("key" + i), new KeyDirEntry(2, i, i, r.nextBoolean() ? i + 1 : 0));
            }
        });
        writer.start();
        Random r = new Random(2);
        long checked = 0;
        byte[][] batch = new byte[64][];
        long[] out = new long[4 * batch.length];
        long[] hashes = new long[batch.length];
        while (writer.isAlive()) {
            for (int k = 0; k < batch.length; k++) batch[k] = TestFiles.b("key" + r.nextInt(keys));
            keyDir.getAll(batch, batch.length, hashes, out);
            for (int k = 0; k < batch.length; k++) {
                if (out[4 * k] < 0) continue;
                long i = Long.parseLong(TestFiles.s(batch[k]).substring(3));
                assertThat(out[4 * k + 1]).isEqualTo(i);
                assertThat(out[4 * k + 3]).isIn(0L, i + 1);
                checked++;
            }
            int i = r.nextInt(keys);
            KeyDirEntry e = keyDir.get(TestFiles.b("key" + i));
            if (e != null) {
                assertThat(e.valuePosition()).isEqualTo(i);
                assertThat(e.expiry()).isIn(0L, (long) i + 1);
                checked++;
            }
        }
        writer.join();
        assertThat(checked).isPositive();
    }
}

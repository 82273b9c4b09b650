package dev.cask.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

/** Random puts, deletes, batches, reopens and rotations (tiny segments) against an in-memory model. */
class CaskModelProperties {
    sealed interface Step permits Put, Delete, Batch, Reopen, Merge {}
    record Put(String key, byte[] value) implements Step {
        @Override public String toString() { return "put " + key + "=" + value.length + "B"; }
    }
    record Delete(String key) implements Step {}
    record Batch(List<Step> ops) implements Step {}
    record Reopen() implements Step {}
    record Merge() implements Step {}

    private Path dir;

    @BeforeTry
    void makeDir() throws IOException {
        dir = Files.createTempDirectory("cask-model");
    }

    @AfterTry
    void removeDir() throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<String> keys = Arbitraries.of("a", "b", "c", "d", "e", "long-key-" + "x".repeat(40));
        Arbitrary<byte[]> values = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<Step> put = Combinators.combine(keys, values).as(Put::new);
        Arbitrary<Step> delete = keys.map(Delete::new);
        Arbitrary<Step> batch = Arbitraries.oneOf(put, delete).list().ofMinSize(1).ofMaxSize(5).map(Batch::new);
        Arbitrary<Step> reopen = Arbitraries.just(new Reopen());
        Arbitrary<Step> merge = Arbitraries.just(new Merge());
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, put), net.jqwik.api.Tuple.of(3, delete),
                net.jqwik.api.Tuple.of(2, batch), net.jqwik.api.Tuple.of(1, reopen), net.jqwik.api.Tuple.of(1, merge)).list().ofMaxSize(60);
    }

    @Property(tries = 150)
    void behavesLikeAMap(@ForAll("steps") List<Step> steps, @ForAll("segmentSizes") long maxFileSize) {
        CaskOptions options = CaskOptions.defaults().withMaxFileSize(maxFileSize).withAutoMerge(false, 0.5, 0);
        Map<String, byte[]> model = new HashMap<>();
        Cask cask = Cask.open(dir, options);
        try {
            for (Step step : steps) {
                switch (step) {
                    case Merge m -> cask.merge();
                    case Reopen r -> {
                        cask.close();
                        cask = Cask.open(dir, options);
                        assertThat(cask.recoveryReport().droppedBytes()).isZero();
                    }
                    case Batch batch -> {
                        WriteBatch wb = new WriteBatch();
                        for (Step op : batch.ops()) {
                            if (op instanceof Put p) {
                                wb.put(TestFiles.b(p.key()), p.value());
                                model.put(p.key(), p.value());
                            } else if (op instanceof Delete d) {
                                wb.delete(TestFiles.b(d.key()));
                                model.remove(d.key());
                            }
                        }
                        cask.write(wb);
                    }
                    case Put p -> {
                        cask.put(TestFiles.b(p.key()), p.value());
                        model.put(p.key(), p.value());
                    }
                    case Delete d -> assertThat(cask.delete(TestFiles.b(d.key()))).isEqualTo(model.remove(d.key()) != null);
                }
                assertSame(cask, model);
            }
            cask.close();
            cask = Cask.open(dir, options);
            assertSame(cask, model);
            CaskStats stats = cask.stats();
            long modelBytes = model.entrySet().stream().mapToLong(e -> RecordCodec.current().putSize(e.getKey().length(), e.getValue().length, 0)).sum();
            assertThat(stats.liveBytes()).isEqualTo(modelBytes);
        } finally {
            cask.close();
        }
        assertThat(Verifier.check(dir, options, false).problems()).isEmpty();
    }

    @Provide
    Arbitrary<Long> segmentSizes() {
        return Arbitraries.of(64L, 200L, 1000L, 1L << 20);
    }

    private static void assertSame(Cask cask, Map<String, byte[]> model) {
        List<String> names = List.of("a", "b", "c", "d", "e", "long-key-" + "x".repeat(40));
        byte[][] batch = names.stream().map(TestFiles::b).toArray(byte[][]::new);
        byte[][] batched = new byte[names.size()][];
        cask.get(batch, batch.length, batched); // the batched read answers as the single ones
        for (int i = 0; i < names.size(); i++) {
            String key = names.get(i);
            byte[] expected = model.get(key);
            byte[] actual = cask.get(TestFiles.b(key));
            assertThat(actual == null ? null : Arrays.toString(actual)).as(key).isEqualTo(expected == null ? null : Arrays.toString(expected));
            assertThat(batched[i] == null ? null : Arrays.toString(batched[i])).as("batched " + key).isEqualTo(expected == null ? null : Arrays.toString(expected));
        }
        List<String> keys = new ArrayList<>(cask.keys().stream().map(TestFiles::s).toList());
        assertThat(keys).containsExactlyInAnyOrderElementsOf(model.keySet());
    }
}

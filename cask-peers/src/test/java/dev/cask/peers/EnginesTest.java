package dev.cask.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each peer adapter really stores: what a run measures is put and get of real data, reopened from
 * its files. A wrong adapter (a get from the wrong store, a durable put that drops the value)
 * would make the comparison meaningless.
 */
class EnginesTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"cask", "rocksdb", "lmdb", "h2"})
    void putsAreReadBackAfterReopenAndDurablePutsToo(String name) throws Exception {
        Engine engine = PeersBenchmark.engine(name);
        Path db = dir.resolve(name);
        java.nio.file.Files.createDirectories(db);
        engine.open(db, false);
        for (int i = 0; i < 2000; i++) engine.put(Workload.key(i), Workload.value(i, 0));
        assertThat(engine.get(Workload.key(5000))).isNull();
        engine.settle();
        engine.close();
        engine.open(db, true);
        for (int i = 0; i < 2000; i++) assertThat(Workload.matches(engine.get(Workload.key(i)), i, 0)).as("%s key %d", name, i).isTrue();
        engine.put(Workload.key(7), Workload.value(7, 1));
        engine.close();
        engine.open(db, false);
        assertThat(Workload.matches(engine.get(Workload.key(7)), 7, 1)).as("the durable put").isTrue();
        engine.close();
        assertThat(PeersBenchmark.bytesIn(db)).isGreaterThan(2000L * (16 + Workload.VALUE_SIZE) / 2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cask", "lmdb"})
    void aShortRunReportsEveryFigure(String name) throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        PeersBenchmark bench = new PeersBenchmark(5000, 1, dir, new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        Result result = bench.run(PeersBenchmark.engine(name));
        assertThat(List.of(result.fillPerSecond(), result.getPerSecond(), result.durablePerSecond1(), result.durablePerSecond16(),
                result.reopenSeconds(), result.diskBytesPerKey())).allSatisfy(v -> assertThat(v).isPositive());
        assertThat(Report.table(5000, 1, List.of(result))).contains("durable put, 16 threads");
        assertThat(Report.json(5000, 1, List.of(result))).startsWith("{\"keys\":5000,").contains("\"engine\":\"" + result.engine() + "\"");
    }
}

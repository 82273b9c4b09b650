package dev.cask.bench;

import dev.cask.core.Cask;
import dev.cask.core.CaskOptions;
import dev.cask.core.SyncPolicy;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/** Puts under sync always (fsync before acknowledging), with 1, 8 and 64 concurrent writers sharing forces. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"})
public class GroupCommitBenchmark {
    private Path dir;
    private Cask cask;
    private final byte[] value = new byte[100];
    private final AtomicLong next = new AtomicLong();

    @Setup(Level.Trial)
    public void open() throws Exception {
        dir = BenchDirs.create("always");
        cask = Cask.open(dir, CaskOptions.defaults().withSyncPolicy(SyncPolicy.parse("always")));
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        cask.close();
        BenchDirs.delete(dir);
    }

    private void put() {
        cask.put(BenchDirs.key(next.getAndIncrement() % 1_000_000), value);
    }

    @Benchmark
    @Threads(1)
    public void always1Writer() {
        put();
    }

    @Benchmark
    @Threads(8)
    public void always8Writers() {
        put();
    }

    @Benchmark
    @Threads(64)
    public void always64Writers() {
        put();
    }
}

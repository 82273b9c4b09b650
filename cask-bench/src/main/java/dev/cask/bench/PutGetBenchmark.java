package dev.cask.bench;

import dev.cask.core.Cask;
import dev.cask.core.CaskOptions;
import dev.cask.core.WriteBatch;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/** One thread, 16-byte keys, sync none; gets are served from the page cache. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "--enable-native-access=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"})
@Threads(1)
public class PutGetBenchmark {
    private static final int KEYS = 1_000_000;

    @Param({"100", "4096"})
    int valueSize;

    private Path dir;
    private Cask cask;
    private byte[] value;
    private byte[][] keys;
    private long next;
    private final Random random = new Random(42);

    @Setup(Level.Trial)
    public void open() throws Exception {
        dir = BenchDirs.create("putget");
        cask = Cask.open(dir, CaskOptions.defaults().withMaxFileSize(256L << 20));
        value = new byte[valueSize];
        random.nextBytes(value);
        keys = new byte[KEYS][];
        for (int i = 0; i < KEYS; i++) keys[i] = BenchDirs.key(i);
        int preload = valueSize > 1000 ? KEYS / 10 : KEYS;
        for (int i = 0; i < preload; i++) cask.put(keys[i], value);
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        cask.close();
        BenchDirs.delete(dir);
    }

    @Benchmark
    public void put() {
        cask.put(keys[(int) (next++ % KEYS)], value);
    }

    /** 100 puts in one atomic batch: one system call for all of them. Reported per put. */
    @Benchmark
    @OperationsPerInvocation(100)
    public void putBatched() {
        WriteBatch batch = new WriteBatch();
        for (int i = 0; i < 100; i++) batch.put(keys[(int) (next++ % KEYS)], value);
        cask.write(batch);
    }

    @Benchmark
    public byte[] get() {
        int bound = valueSize > 1000 ? KEYS / 10 : KEYS;
        return cask.get(keys[random.nextInt(bound)]);
    }
}

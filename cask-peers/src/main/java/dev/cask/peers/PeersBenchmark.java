package dev.cask.peers;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * Cask and the engines a Java user would otherwise pick (RocksDB, LMDB, H2 MVStore), one at a
 * time in this JVM, on the same workloads: fill in random order, random gets with every value
 * checked, durable puts from 1 and 16 threads, reopen after a clean close, bytes on disk and heap.
 * Run by {@code bench/peers.sh}; arguments {@code [--keys N] [--seconds S] [--dir DIR]
 * [--engines cask,rocksdb,lmdb,h2] [--json FILE]}.
 */
public final class PeersBenchmark {
    private final int keys;
    private final int seconds;
    private final Path base;
    private final PrintStream out;
    private final boolean terminal = onTerminal();

    PeersBenchmark(int keys, int seconds, Path base, PrintStream out) {
        this.keys = keys;
        this.seconds = seconds;
        this.base = base;
        this.out = out;
    }

    static Engine engine(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "cask" -> new CaskEngine();
            case "rocksdb" -> new RocksEngine();
            case "lmdb" -> new LmdbEngine();
            case "h2" -> new H2Engine();
            default -> throw new IllegalArgumentException("unknown engine " + name + " (cask, rocksdb, lmdb, h2)");
        };
    }

    public static void main(String[] args) throws Exception {
        int keys = 1_000_000;
        int seconds = 5;
        Path dir = Path.of("cask-peers/target/peers-data");
        String engines = "cask,rocksdb,lmdb,h2";
        Path json = null;
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--keys" -> keys = Integer.parseInt(value);
                case "--seconds" -> seconds = Integer.parseInt(value);
                case "--dir" -> dir = Path.of(value);
                case "--engines" -> engines = value;
                case "--json" -> json = Path.of(value);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: [--keys N] [--seconds S] [--dir DIR] [--engines cask,rocksdb,lmdb,h2] [--json FILE]");
            }
        }
        if (keys < 1 || seconds < 1) throw new IllegalArgumentException("--keys and --seconds must be at least 1");
        PeersBenchmark bench = new PeersBenchmark(keys, seconds, dir, System.out);
        List<Result> results = new ArrayList<>();
        List<Engine> ran = new ArrayList<>();
        for (String name : engines.split(",")) {
            Engine engine = engine(name.trim());
            results.add(bench.run(engine));
            ran.add(engine);
        }
        bench.report(ran, results);
        if (json != null) Files.writeString(json, Report.json(keys, seconds, results));
    }

    Result run(Engine engine) throws Exception {
        Path dir = base.resolve(engine.name().replace(' ', '-'));
        deleteTree(dir);
        Files.createDirectories(dir);
        int[] order = Workload.permutation(keys, 42);
        long heapBefore = usedHeapAfterGc();

        engine.open(dir, false);
        long start = System.nanoTime();
        for (int n = 0; n < keys; n++) {
            int i = order[n];
            engine.put(Workload.key(i), Workload.value(i, 0));
            if ((n & 0xffff) == 0) progress(engine, "fill", n);
        }
        double fill = keys / seconds(start);

        SplittableRandom random = new SplittableRandom(7);
        start = System.nanoTime();
        for (int n = 0; n < keys; n++) {
            int i = random.nextInt(keys);
            byte[] found = engine.get(Workload.key(i));
            if (!Workload.matches(found, i, 0)) throw new IllegalStateException(engine.name() + " returned a wrong value for key " + i);
            if ((n & 0xffff) == 0) progress(engine, "get", n);
        }
        double get = keys / seconds(start);
        long heap = usedHeapAfterGc() - heapBefore;
        engine.settle();
        engine.close();
        double disk = (double) bytesIn(dir) / keys;

        start = System.nanoTime();
        engine.open(dir, false);
        if (!Workload.matches(engine.get(Workload.key(keys - 1)), keys - 1, 0)) throw new IllegalStateException(engine.name() + " lost a key at reopen");
        double reopen = seconds(start);
        engine.close();

        engine.open(dir, true);
        double durable1 = durablePuts(engine, 1);
        double durable16 = durablePuts(engine, 16);
        engine.close();
        if (terminal) System.err.print("\r\033[K");
        deleteTree(dir);
        return new Result(engine.name(), fill, get, durable1, durable16, reopen, disk, Math.max(0, (double) heap / keys));
    }

    /** Puts from {@code threads} threads for the run's seconds; each returned put is durable. Puts per second, all threads together. */
    private double durablePuts(Engine engine, int threads) throws InterruptedException {
        LongAdder done = new LongAdder();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        long[] window = new long[2];
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int seed = t;
            writers.add(Thread.ofPlatform().name("durable-" + t).start(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                try {
                    go.await();
                    while (System.nanoTime() < window[1]) {
                        int i = random.nextInt(keys);
                        engine.put(Workload.key(i), Workload.value(i, 1));
                        done.increment();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        window[0] = System.nanoTime();
        window[1] = window[0] + seconds * 1_000_000_000L;
        progress(engine, "durable x" + threads, -1);
        go.countDown();
        for (Thread writer : writers) writer.join();
        if (failure.get() != null) throw new IllegalStateException(engine.name() + " failed a durable put", failure.get());
        return done.sum() / seconds(window[0]);
    }

    private void progress(Engine engine, String phase, int n) {
        if (!terminal) return;
        String done = n < 0 ? "" : String.format(Locale.ROOT, " %3d%%", (int) (100L * n / keys));
        System.err.print("\r\033[K" + engine.name() + ": " + phase + done);
    }

    void report(List<Engine> engines, List<Result> results) {
        out.println(Report.table(keys, seconds, results));
        out.println(Report.chart(results));
        out.println("What a returned put means:");
        for (Engine engine : engines) {
            out.println("  " + engine.name() + ": fill " + engine.putMeans() + "; durable " + engine.durableMeans());
        }
        out.println("Reopen is open plus one checked get; LMDB and MVStore map or read their files lazily, Cask loads its keydir.");
        out.println("Disk bytes are the files' sizes after a clean close (RocksDB flushed and compacted, MVStore compacted first). Heap is the growth of");
        out.println("used heap after GC while filled: RocksDB and LMDB keep their data off the heap (memtable, block cache, mapping).");
    }

    @SuppressWarnings("SystemConsoleNull") // null still, without a console, where jdk.console selects the old implementation
    private static boolean onTerminal() {
        java.io.Console console = System.console();
        return console != null && console.isTerminal();
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static long bytesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}

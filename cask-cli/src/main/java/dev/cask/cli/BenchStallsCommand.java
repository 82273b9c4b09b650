package dev.cask.cli;

import dev.cask.core.Cask;
import dev.cask.core.CaskOptions;
import dev.cask.core.MergeResult;
import dev.cask.core.SyncPolicy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The longest put against the longest plain append, in one run: what a user of the engine waits
 * for at worst, set beside what the disk and the kernel make anyone wait for. Windows of Cask puts
 * and of raw appends alternate, so both see the same machine, the same writeback and the same
 * neighbours; the Cask windows rotate segments and run merges in the background.
 */
@Command(name = "stalls", mixinStandardHelpOptions = true,
        description = {"Alternate windows of Cask puts (with rotations and background merges) and of plain appends to a file",
                "(FileChannel.write, rotated at the same size), and compare their longest and p99.9 latencies."})
final class BenchStallsCommand implements Callable<Integer> {
    @Option(names = "--seconds", paramLabel = "S", defaultValue = "60", description = "Length of the run (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--window-ms", paramLabel = "MS", defaultValue = "500", description = "Length of one window (default ${DEFAULT-VALUE}).")
    int windowMillis;

    @Option(names = "--value-size", paramLabel = "B", defaultValue = "100", description = "Value size (default ${DEFAULT-VALUE}).")
    int valueSize;

    @Option(names = "--keys", paramLabel = "N", defaultValue = "1000000", description = "Keys overwritten at random, so merges have dead data (default ${DEFAULT-VALUE}).")
    long keys;

    @Option(names = "--max-file-size", paramLabel = "BYTES", defaultValue = "67108864", description = "Segment size, and the plain file's rotation size (default ${DEFAULT-VALUE}).")
    long maxFileSize;

    @Option(names = "--merges", paramLabel = "M", defaultValue = "2", description = "Merges started in the background, evenly over the run (default ${DEFAULT-VALUE}).")
    int merges;

    @Option(names = "--preload", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = {"Put every key once before measuring (default ${DEFAULT-VALUE}): the run then measures a database of a steady size,"
                    + " whose keydir does not grow. --no-preload measures growth too: each growth of the keydir by a quarter rehashes it"
                    + " under the write lock (about 100 ms a million keys here)."})
    boolean preload;

    @Option(names = "--sync", paramLabel = "POLICY", defaultValue = "none",
            description = "Sync policy of the Cask puts (default ${DEFAULT-VALUE}); the plain appends are never forced.")
    String sync;

    @Mixin
    ScratchOptions scratch;

    @Override
    public Integer call() throws Exception {
        if (seconds <= 0 || windowMillis < 1 || valueSize < 0 || keys < 1 || merges < 0) {
            throw new IllegalArgumentException("--seconds, --window-ms and --keys must be positive; --value-size and --merges at least 0");
        }
        Path dir = BenchSupport.scratch(scratch.base, "stalls");
        Map<String, Object> out = new LinkedHashMap<>();
        Histogram cask = new Histogram(3_600_000_000_000L, 3);
        Histogram raw = new Histogram(3_600_000_000_000L, 3);
        try (Cask db = Cask.open(dir.resolve("db"), CaskOptions.defaults().withMaxFileSize(maxFileSize).withAutoMerge(false, 0.5, 0)
                .withSyncPolicy(SyncPolicy.parse(sync)));
                RawLog plain = new RawLog(dir.resolve("plain"), maxFileSize)) {
            byte[] value = new byte[valueSize];
            new Random(1).nextBytes(value);
            if (preload) {
                try (TerminalProgress progress = TerminalProgress.start("preloading")) {
                    BenchSupport.load(db, keys, value, progress);
                }
            }
            Random random = new Random(2);
            ByteBuffer record = ByteBuffer.allocate(13 + 16 + valueSize); // what a put appends: its header, key and value
            long end = System.nanoTime() + (long) (seconds * 1e9);
            long mergeEvery = (long) (seconds * 1e9 / (merges + 1));
            long nextMerge = merges == 0 ? Long.MAX_VALUE : System.nanoTime() + mergeEvery;
            CompletableFuture<MergeResult> merge = CompletableFuture.completedFuture(null);
            int mergesRun = 0;
            long puts = 0;
            long appends = 0;
            try (TerminalProgress progress = TerminalProgress.start("stalls")) {
                long start = System.nanoTime();
                for (int window = 0; System.nanoTime() < end; window++) {
                    long windowEnd = Math.min(end, System.nanoTime() + windowMillis * 1_000_000L);
                    if (window % 2 == 0) {
                        if (System.nanoTime() >= nextMerge && merge.isDone()) {
                            merge.join();
                            merge = CompletableFuture.supplyAsync(db::merge);
                            mergesRun++;
                            nextMerge = mergesRun < merges ? nextMerge + mergeEvery : Long.MAX_VALUE;
                        }
                        while (System.nanoTime() < windowEnd) {
                            byte[] key = BenchSupport.key(random.nextLong(keys));
                            long t0 = System.nanoTime();
                            db.put(key, value);
                            cask.recordValue(System.nanoTime() - t0);
                            puts++;
                        }
                    } else {
                        while (System.nanoTime() < windowEnd) {
                            long t0 = System.nanoTime();
                            plain.append(record.clear());
                            raw.recordValue(System.nanoTime() - t0);
                            appends++;
                        }
                    }
                    progress.update(System.nanoTime() - start, end - start);
                }
            }
            MergeResult last = merge.join();
            out.put("seconds", seconds);
            out.put("windowMs", windowMillis);
            out.put("sync", sync);
            out.put("preloaded", preload);
            out.put("segmentBytes", maxFileSize);
            out.put("casksPuts", puts);
            out.put("rawAppends", appends);
            out.put("segmentsAtEnd", db.stats().segments().size());
            out.put("mergesRun", mergesRun);
            out.put("lastMergeSeconds", last == null ? 0 : BenchSupport.round(last.millis() / 1000.0, 2));
            out.put("putP50Us", micros(cask.getValueAtPercentile(50)));
            out.put("putP999Us", micros(cask.getValueAtPercentile(99.9)));
            out.put("putMaxUs", micros(cask.getMaxValue()));
            out.put("rawAppendP50Us", micros(raw.getValueAtPercentile(50)));
            out.put("rawAppendP999Us", micros(raw.getValueAtPercentile(99.9)));
            out.put("rawAppendMaxUs", micros(raw.getMaxValue()));
            out.put("maxRatio", BenchSupport.round((double) cask.getMaxValue() / Math.max(1, raw.getMaxValue()), 2));
            out.put("gcPauses", gcSummary());
        } finally {
            BenchSupport.delete(dir);
        }
        if (scratch.json) {
            System.out.println(Json.write(out));
        } else {
            out.forEach((k, v) -> System.out.printf("%-18s %s%n", k, v));
        }
        return 0;
    }

    private static double micros(long nanos) {
        return BenchSupport.round(nanos / 1000.0, 1);
    }

    /** Collections the JVM ran meanwhile: a put that waited for one waited for the JVM, not for the engine. */
    private static String gcSummary() {
        StringBuilder s = new StringBuilder();
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            if (!s.isEmpty()) s.append("; ");
            s.append(gc.getName()).append(": ").append(gc.getCollectionCount()).append(" in ").append(gc.getCollectionTime()).append(" ms");
        }
        return s.toString();
    }

    /** Plain appends to a file, rotated to a new file at the segment size (the old one deleted): the baseline. */
    private static final class RawLog implements AutoCloseable {
        private final Path dir;
        private final long maxFileSize;
        private FileChannel file;
        private Path path;
        private long size;
        private int id;

        RawLog(Path dir, long maxFileSize) throws IOException {
            this.dir = Files.createDirectories(dir);
            this.maxFileSize = maxFileSize;
            rotate();
        }

        void append(ByteBuffer record) throws IOException {
            if (size + record.remaining() > maxFileSize) rotate();
            while (record.hasRemaining()) size += file.write(record, size);
        }

        private void rotate() throws IOException {
            if (file != null) {
                file.close();
                Files.delete(path);
            }
            path = dir.resolve("raw-" + id++);
            file = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            size = 0;
        }

        @Override
        public void close() throws IOException {
            if (file != null) file.close();
        }
    }
}

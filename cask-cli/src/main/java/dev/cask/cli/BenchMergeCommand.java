package dev.cask.cli;

import dev.cask.core.Cask;
import dev.cask.core.CaskOptions;
import dev.cask.core.MergeResult;
import dev.cask.core.Progress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Write N keys twice (half the data dead), then merge it, measuring in the same run:",
                "merge throughput (that first merge, alone) next to the disk's sequential bandwidth, and put latency in",
                "alternated windows without and with a merge running (the merges that reclaim what the windows overwrote)."})
final class BenchMergeCommand implements Callable<Integer> {
    @Option(names = "--keys", paramLabel = "N", defaultValue = "500000", description = "Keys (default ${DEFAULT-VALUE}).")
    long keys;

    @Option(names = "--value-size", paramLabel = "B", defaultValue = "1000", description = "Value size (default ${DEFAULT-VALUE}).")
    int valueSize;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "2", description = "Length of each no-merge latency window (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--rate", paramLabel = "PUTS_PER_S", defaultValue = "0",
            description = {"Offered put rate while measuring latency (default ${DEFAULT-VALUE}: back to back); with a rate, each latency counts from the put's"
                    + " scheduled start, so a stall also delays the puts queued behind it. 0: puts back to back (a closed loop,"
                    + " that competes with the merge for CPU and measures saturation more than latency)."})
    int rate;

    @Option(names = "--rounds", paramLabel = "R", defaultValue = "3",
            description = "Alternated pairs of latency windows, quiet then during a merge; medians are compared (default ${DEFAULT-VALUE}).")
    int rounds;

    @Mixin
    ScratchOptions scratch;

    @Override
    public Integer call() throws Exception {
        if (keys < 1 || valueSize < 1 || rounds < 1) throw new IllegalArgumentException("--keys, --value-size and --rounds must be at least 1");
        Path dir = BenchSupport.scratch(scratch.base, "merge");
        Map<String, Object> out = new LinkedHashMap<>();
        try (Cask cask = Cask.open(dir, CaskOptions.defaults().withMaxFileSize(64L << 20).withAutoMerge(false, 0.5, 0))) {
            byte[] value = new byte[valueSize];
            new Random(1).nextBytes(value);
            try (TerminalProgress progress = TerminalProgress.start("writing")) {
                BenchSupport.load(cask, keys, value, (done, total) -> progress.update(done, 2 * total));
                BenchSupport.load(cask, keys, value, (done, total) -> progress.update(total + done, 2 * total));
            }
            long inputBytes = cask.stats().liveBytes() + cask.stats().deadBytes();
            double[] disk = diskBandwidth(dir, Math.min(inputBytes, 1L << 30));
            // throughput: the first merge (half the data dead, as built), alone
            long start = System.nanoTime();
            MergeResult result;
            try (TerminalProgress progress = TerminalProgress.start("merging")) {
                result = cask.merge(progress);
            }
            double mergeSeconds = BenchSupport.seconds(start);
            // alternated A B A B A B (each quiet window's puts make the dead data the next merge reclaims), medians compared:
            // on a shared 2-core machine one pair of windows says little
            double[] quietP99 = new double[rounds];
            double[] mergeP99 = new double[rounds];
            long[] quiet = new long[0];
            long[] during = new long[0];
            double[][] quietSched = new double[rounds][];
            double[][] mergeSched = new double[rounds][];
            double[] switchMillis = new double[rounds];
            double[] underPutsMBps = new double[rounds];
            for (int round = 0; round < rounds; round++) {
                ThreadSched before = ThreadSched.read();
                quiet = putLatencies(cask, () -> false, (long) (seconds * 1e9));
                quietSched[round] = ThreadSched.read().since(before);
                quietP99[round] = percentileMicros(quiet, 99);
                long mergeStart = System.nanoTime();
                CompletableFuture<MergeResult> merge;
                try (TerminalProgress progress = TerminalProgress.start("merging (" + (round + 1) + "/" + rounds + ")")) {
                    Progress p = progress;
                    merge = CompletableFuture.supplyAsync(() -> cask.merge(p));
                    ThreadSched before2 = ThreadSched.read();
                    during = putLatencies(cask, merge::isDone, Long.MAX_VALUE);
                    mergeSched[round] = ThreadSched.read().since(before2);
                }
                MergeResult r = merge.join();
                underPutsMBps[round] = BenchSupport.round(r.inputBytes() / BenchSupport.seconds(mergeStart) / 1e6, 1);
                mergeP99[round] = percentileMicros(during, 99);
                switchMillis[round] = BenchSupport.round(r.switchMillis(), 1);
            }
            double mergeMBps = result.inputBytes() / mergeSeconds / 1e6;
            out.put("inputBytes", result.inputBytes());
            out.put("outputBytes", result.outputBytes());
            out.put("mergeSeconds", BenchSupport.round(mergeSeconds, 3));
            out.put("mergeMBps", BenchSupport.round(mergeMBps, 1));
            out.put("mergeMBpsWithPutsRunning", Arrays.stream(underPutsMBps).boxed().toList());
            out.put("keydirSwitchMillis", Arrays.stream(switchMillis).boxed().toList());
            out.put("diskWriteMBps", BenchSupport.round(disk[0], 1));
            out.put("diskReadMBps", BenchSupport.round(disk[1], 1));
            out.put("mergeToDiskWriteRatio", BenchSupport.round(mergeMBps / disk[0], 3));
            out.put("putP99UsWithoutMerge", Arrays.stream(quietP99).boxed().toList());
            out.put("putP99UsDuringMerge", Arrays.stream(mergeP99).boxed().toList());
            out.put("putP50UsWithoutMerge", percentileMicros(quiet, 50));
            out.put("putP50UsDuringMerge", percentileMicros(during, 50));
            out.put("putP999UsWithoutMerge", percentileMicros(quiet, 99.9));
            out.put("putP999UsDuringMerge", percentileMicros(during, 99.9));
            out.put("putMaxUsWithoutMerge", percentileMicros(quiet, 100));
            out.put("putMaxUsDuringMerge", percentileMicros(during, 100));
            out.put("putP99UsWithoutMergeMedian", median(quietP99));
            out.put("putP99UsDuringMergeMedian", median(mergeP99));
            out.put("offeredPutsPerSecond", rate);
            out.put("putThreadWithoutMerge", Arrays.stream(quietSched).map(ThreadSched::describe).toList());
            out.put("putThreadDuringMerge", Arrays.stream(mergeSched).map(ThreadSched::describe).toList());
            out.put("p99Ratio", BenchSupport.round(median(mergeP99) / Math.max(0.001, median(quietP99)), 3));
        } finally {
            BenchSupport.delete(dir);
        }
        if (scratch.json) {
            System.out.println(Json.write(out));
        } else {
            out.forEach((k, v) -> System.out.printf("%-24s %s%n", k, v));
        }
        return 0;
    }

    /** Sequential write (1 MiB blocks, then fdatasync) and read of {@code bytes} in {@code dir}, in MB/s. */
    private static double[] diskBandwidth(Path dir, long bytes) throws IOException {
        Path file = dir.resolve("bandwidth.probe");
        ByteBuffer block = ByteBuffer.allocateDirect(1 << 20);
        new Random(2).ints(block.capacity() / 4).forEach(block::putInt);
        long start = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (long at = 0; at < bytes; at += block.capacity()) {
                block.clear();
                while (block.hasRemaining()) ch.write(block, at + block.position());
            }
            ch.force(false);
        }
        double write = bytes / BenchSupport.seconds(start) / 1e6;
        start = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (long at = 0; at < bytes; at += block.capacity()) {
                block.clear();
                ch.read(block, at);
            }
        }
        double read = bytes / BenchSupport.seconds(start) / 1e6;
        java.nio.file.Files.delete(file);
        return new double[] {write, read};
    }

    /** Latencies (ns) of puts of random existing keys until {@code done} says so or {@code maxNanos} pass. */
    private long[] putLatencies(Cask cask, java.util.function.BooleanSupplier done, long maxNanos) {
        Random random = new Random(3);
        byte[] value = new byte[valueSize];
        long[] lat = new long[1 << 16];
        int n = 0;
        long end = maxNanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + maxNanos;
        long interval = rate > 0 ? 1_000_000_000L / rate : 0;
        long scheduled = System.nanoTime();
        while (!done.getAsBoolean() && System.nanoTime() < end) {
            byte[] key = BenchSupport.key(random.nextLong(keys));
            long t0;
            if (interval > 0) {
                scheduled += interval;
                while (System.nanoTime() < scheduled) Thread.onSpinWait();
                t0 = scheduled; // from when it should have started: queueing behind a stall counts
            } else {
                t0 = System.nanoTime();
            }
            cask.put(key, value);
            long t = System.nanoTime() - t0;
            if (n == lat.length) lat = Arrays.copyOf(lat, n * 2);
            lat[n++] = t;
        }
        return Arrays.copyOf(lat, n);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double percentileMicros(long[] nanos, double p) {
        if (nanos.length == 0) return 0;
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return BenchSupport.round(sorted[(int) Math.min(sorted.length - 1, (long) (sorted.length * p / 100))] / 1000.0, 1);
    }
}

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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

    @Option(names = "--latency-log", paramLabel = "FILE",
            description = "Also write every put's latency as an HdrHistogram interval log (100 ms intervals, tagged quiet or merge): the raw"
                    + " figures of cask chart merge-latency.")
    Path latencyLog;

    @Mixin
    ScratchOptions scratch;

    private IntervalLatencyLog log;

    @Override
    public Integer call() throws Exception {
        if (keys < 1 || valueSize < 1 || rounds < 1) throw new IllegalArgumentException("--keys, --value-size and --rounds must be at least 1");
        Path dir = BenchSupport.scratch(scratch.base, "merge");
        Map<String, Object> out = new LinkedHashMap<>();
        if (latencyLog != null) log = IntervalLatencyLog.open(latencyLog);
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
            List<Window> quiet = new ArrayList<>();
            List<Window> during = new ArrayList<>();
            List<Double> switchMillis = new ArrayList<>();
            List<Double> underPutsMBps = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                if (log != null) log.tag("quiet");
                ThreadSched beforeQuiet = ThreadSched.read();
                long[] quietNanos = putLatencies(cask, () -> false, (long) (seconds * 1e9));
                quiet.add(Window.of(quietNanos, ThreadSched.read().describeSince(beforeQuiet)));
                long mergeStart = System.nanoTime();
                CompletableFuture<MergeResult> merge;
                try (TerminalProgress progress = TerminalProgress.start("merging (" + (round + 1) + "/" + rounds + ")")) {
                    Progress p = progress;
                    if (log != null) log.tag("merge");
                    merge = CompletableFuture.supplyAsync(() -> cask.merge(p));
                    ThreadSched beforeMerge = ThreadSched.read();
                    long[] duringNanos = putLatencies(cask, merge::isDone, Long.MAX_VALUE);
                    during.add(Window.of(duringNanos, ThreadSched.read().describeSince(beforeMerge)));
                }
                MergeResult r = merge.join();
                underPutsMBps.add(BenchSupport.round(r.inputBytes() / BenchSupport.seconds(mergeStart) / 1e6, 1));
                switchMillis.add(BenchSupport.round(r.switchMillis(), 1));
            }
            double mergeMBps = result.inputBytes() / mergeSeconds / 1e6;
            out.put("inputBytes", result.inputBytes());
            out.put("outputBytes", result.outputBytes());
            out.put("mergeSeconds", BenchSupport.round(mergeSeconds, 3));
            out.put("mergeMBps", BenchSupport.round(mergeMBps, 1));
            out.put("mergeMBpsWithPutsRunning", underPutsMBps);
            out.put("keydirSwitchMillis", switchMillis);
            out.put("diskWriteMBps", BenchSupport.round(disk[0], 1));
            out.put("diskReadMBps", BenchSupport.round(disk[1], 1));
            out.put("mergeToDiskWriteRatio", BenchSupport.round(mergeMBps / disk[0], 3));
            out.put("putP99UsWithoutMerge", quiet.stream().map(Window::p99).toList());
            out.put("putP99UsDuringMerge", during.stream().map(Window::p99).toList());
            out.put("putP50UsWithoutMerge", quiet.stream().map(Window::p50).toList());
            out.put("putP50UsDuringMerge", during.stream().map(Window::p50).toList());
            out.put("putP999UsWithoutMerge", quiet.stream().map(Window::p999).toList());
            out.put("putP999UsDuringMerge", during.stream().map(Window::p999).toList());
            out.put("putMaxUsWithoutMerge", quiet.stream().map(Window::max).toList());
            out.put("putMaxUsDuringMerge", during.stream().map(Window::max).toList());
            double quietMedian = median(quiet.stream().map(Window::p99).toList());
            double duringMedian = median(during.stream().map(Window::p99).toList());
            out.put("putP99UsWithoutMergeMedian", quietMedian);
            out.put("putP99UsDuringMergeMedian", duringMedian);
            out.put("offeredPutsPerSecond", rate);
            out.put("putThreadWithoutMerge", quiet.stream().map(Window::putThread).toList());
            out.put("putThreadDuringMerge", during.stream().map(Window::putThread).toList());
            out.put("p99Ratio", BenchSupport.round(duringMedian / Math.max(0.001, quietMedian), 3));
        } finally {
            if (log != null) log.close();
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
            if (log != null) log.record(t);
            if (n == lat.length) lat = Arrays.copyOf(lat, n * 2);
            lat[n++] = t;
        }
        return Arrays.copyOf(lat, n);
    }

    /** One latency window: percentiles of its puts (µs) and what the scheduler did to the put thread. */
    private record Window(double p50, double p99, double p999, double max, String putThread) {
        static Window of(long[] nanos, String putThread) {
            return new Window(percentileMicros(nanos, 50), percentileMicros(nanos, 99), percentileMicros(nanos, 99.9),
                    percentileMicros(nanos, 100), putThread);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static double percentileMicros(long[] nanos, double p) {
        if (nanos.length == 0) return 0;
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return BenchSupport.round(sorted[(int) Math.min(sorted.length - 1, (long) (sorted.length * p / 100))] / 1000.0, 1);
    }
}

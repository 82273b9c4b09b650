package dev.cask.cli;

import dev.cask.core.Cask;
import dev.cask.core.CaskOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "open", mixinStandardHelpOptions = true,
        description = "Time opening a database of N keys from hint files, then by scanning the data files.")
final class BenchOpenCommand implements Callable<Integer> {
    @Option(names = "--keys", paramLabel = "N", defaultValue = "1000000", description = "Keys (default ${DEFAULT-VALUE}).")
    long keys;

    @Option(names = "--value-size", paramLabel = "B", defaultValue = "8", description = "Value size (default ${DEFAULT-VALUE}).")
    int valueSize;

    @Mixin
    ScratchOptions scratch;

    @Override
    public Integer call() throws Exception {
        if (keys < 1) throw new IllegalArgumentException("--keys must be at least 1");
        Path dir = BenchSupport.scratch(scratch.base, "open");
        CaskOptions options = CaskOptions.defaults().withMaxFileSize(16L << 20).withAutoMerge(false, 0.5, 0);
        try {
            try (Cask cask = Cask.open(dir, options); TerminalProgress progress = TerminalProgress.start("writing keys")) {
                BenchSupport.load(cask, keys, new byte[valueSize], progress);
                cask.awaitBackgroundWork();
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("keys", keys);
            // alternated, best of three each: the first open of a JVM also pays for JIT compilation
            double hints = Double.MAX_VALUE;
            double scan = Double.MAX_VALUE;
            for (int run = 0; run < 3; run++) {
                scan = Math.min(scan, timeOpen(dir, options.withUseHints(false), out, "segments"));
                try (Cask untimed = Cask.open(dir, options)) {
                    // a clean close with hints on leaves the active segment's hint again (the open without hints deleted it)
                }
                hints = Math.min(hints, timeOpen(dir, options, out, "segmentsFromHints"));
            }
            out.put("hintsSeconds", hints);
            out.put("scanSeconds", scan);
            out.put("runs", 3);
            if (scratch.json) System.out.println(Json.write(out));
            else System.out.printf("%,d keys: open from hints %.3f s, by scanning data files %.3f s%n", keys, hints, scan);
            return 0;
        } finally {
            BenchSupport.delete(dir);
        }
    }

    private double timeOpen(Path dir, CaskOptions options, Map<String, Object> out, String segmentsKey) {
        BenchSupport.heapUsedAfterGc(); // a collection left over from the last step must not land in this timing
        long start = System.nanoTime();
        try (Cask cask = Cask.open(dir, options)) {
            double seconds = BenchSupport.seconds(start);
            if (cask.stats().keys() != keys) throw new IllegalStateException("opened " + cask.stats().keys() + " keys, wanted " + keys);
            out.put(segmentsKey, segmentsKey.equals("segments") ? cask.recoveryReport().segments() : cask.recoveryReport().hintsUsed());
            return BenchSupport.round(seconds, 3);
        }
    }
}

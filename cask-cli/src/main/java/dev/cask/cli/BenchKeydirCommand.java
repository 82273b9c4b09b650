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

@Command(name = "keydir", mixinStandardHelpOptions = true,
        description = {"Load N keys (16 bytes each) into a fresh database and measure what the keydir costs:",
                "heap after full GCs plus off-heap buffers, minus the same before opening, minus the key bytes."})
final class BenchKeydirCommand implements Callable<Integer> {
    @Option(names = "--keys", paramLabel = "N", defaultValue = "1000000", description = "Keys to load (default ${DEFAULT-VALUE}).")
    long keys;

    @Mixin
    ScratchOptions scratch;

    @Override
    public Integer call() throws Exception {
        if (keys < 1) throw new IllegalArgumentException("--keys must be at least 1");
        Path dir = BenchSupport.scratch(scratch.base, "keydir");
        try {
            long heapBefore = BenchSupport.heapUsedAfterGc();
            long offBefore = BenchSupport.offHeapUsed();
            long start = System.nanoTime();
            Map<String, Object> out = new LinkedHashMap<>();
            try (Cask cask = Cask.open(dir, CaskOptions.defaults().withMaxFileSize(1L << 30).withAutoMerge(false, 0.5, 0));
                    TerminalProgress progress = TerminalProgress.start("loading keys")) {
                BenchSupport.load(cask, keys, new byte[8], progress);
                double loadSeconds = BenchSupport.seconds(start);
                long heap = BenchSupport.heapUsedAfterGc() - heapBefore;
                long offHeap = Math.max(0, BenchSupport.offHeapUsed() - offBefore);
                long keyBytes = keys * 16;
                if (cask.stats().keys() != keys) throw new IllegalStateException("loaded " + cask.stats().keys() + " keys, wanted " + keys);
                out.put("keys", keys);
                out.put("keyBytes", keyBytes);
                out.put("heapBytes", heap);
                out.put("offHeapBytes", offHeap);
                out.put("bytesPerKey", BenchSupport.round((double) (heap + offHeap - keyBytes) / keys, 2));
                out.put("basho91PlusKeyRatio", BenchSupport.round((double) (heap + offHeap - keyBytes) / keys / 91, 3));
                out.put("loadSeconds", BenchSupport.round(loadSeconds, 3));
            }
            if (scratch.json) System.out.println(Json.write(out));
            else System.out.printf("%,d keys: keydir %,d bytes heap + %,d off-heap = %.2f bytes per key beyond the key (Basho: ~91)%n",
                    keys, (long) out.get("heapBytes"), (long) out.get("offHeapBytes"), (double) out.get("bytesPerKey"));
            return 0;
        } finally {
            BenchSupport.delete(dir);
        }
    }
}

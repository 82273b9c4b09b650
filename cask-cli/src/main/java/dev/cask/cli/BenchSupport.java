package dev.cask.cli;

import dev.cask.core.Cask;
import dev.cask.core.Progress;
import dev.cask.core.WriteBatch;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** What the bench commands share: scratch directories, keys, loading, heap measurement. */
final class BenchSupport {
    private BenchSupport() {}

    /** A fresh directory under {@code base} (default: the working directory, which is on the real disk, unlike a tmpfs /tmp). */
    static Path scratch(Path base, String name) throws IOException {
        Path parent = base != null ? base : Path.of(".");
        Files.createDirectories(parent);
        return Files.createTempDirectory(parent, "cask-bench-" + name + "-");
    }

    static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A 16-byte key for n: "key-" and 12 digits. */
    static byte[] key(long n) {
        byte[] key = {'k', 'e', 'y', '-', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0'};
        for (int i = 15; i >= 4 && n > 0; i--, n /= 10) key[i] = (byte) ('0' + n % 10);
        return key;
    }

    /** Puts keys 0 .. n-1 with {@code value}, 1,000 to a batch. */
    static void load(Cask cask, long n, byte[] value, Progress progress) {
        WriteBatch batch = new WriteBatch();
        for (long i = 0; i < n; i++) {
            batch.put(key(i), value);
            if (batch.size() == 1000 || i == n - 1) {
                cask.write(batch);
                batch = new WriteBatch();
                progress.update(i + 1, n);
            }
        }
    }

    /** Heap in use after full collections, in bytes. */
    static long heapUsedAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** Direct and mapped buffer memory the JVM tracks, in bytes. */
    static long offHeapUsed() {
        long total = 0;
        for (var pool : ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)) total += pool.getMemoryUsed();
        return total;
    }

    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    static double round(double v, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(v * scale) / scale;
    }
}

package dev.cask.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Scratch databases for benchmarks, on the real disk (under target/, never tmpfs). */
final class BenchDirs {
    private BenchDirs() {}

    static Path create(String name) throws IOException {
        Path base = Path.of(System.getProperty("cask.bench.dir", "target/bench-data"));
        Files.createDirectories(base);
        return Files.createTempDirectory(base, name);
    }

    static void delete(Path dir) throws IOException {
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
}

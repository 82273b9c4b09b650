package dev.cask.core;

import static dev.cask.core.TestFiles.b;
import static dev.cask.core.TestFiles.s;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ten thousand segments under the machine's 20,000 open files, and a dataset far larger than the heap. */
class ScaleTest {
    @TempDir
    Path dir;

    private static long openFiles() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void tenThousandSegmentsOpenReadAndMergeWithAFewFileDescriptors() throws Exception {
        int segments = 10_000;
        // written directly with the codec: 10,000 rotations through the engine would be 20,000 fsyncs
        ByteBuffer buf = RecordCodec.allocate(256);
        for (int id = 1; id <= segments; id++) {
            buf.clear().put(FileHeader.encode(FileHeader.Kind.DATA));
            RecordCodec.current().encodePut(buf, id, 0, b("key" + (id % 5000)), b("value-" + id));
            Files.write(dir.resolve(SegmentNames.dataName(id)), java.util.Arrays.copyOf(buf.array(), buf.arrayOffset() + buf.position()));
        }
        long before = openFiles();
        CaskOptions options = CaskOptions.defaults().withMaxFileSize(1 << 20).withAutoMerge(false, 0.5, 0);
        try (Cask cask = Cask.open(dir, options)) {
            assertThat(cask.recoveryReport().segments()).isEqualTo(segments);
            for (int k = 0; k < 5000; k++) {
                int newest = k == 0 ? 10_000 : 5000 + k; // key(id % 5000): ids k and 5000+k; key0: 5000 and 10000
                assertThat(s(cask.get(b("key" + k)))).isEqualTo("value-" + newest);
            }
            assertThat(openFiles() - before).as("open files while 10,000 segments are open and read").isLessThan(50);
            cask.awaitBackgroundWork(); // 9,999 hint files were written meanwhile
            MergeResult merged = cask.merge();
            assertThat(merged.inputSegments()).isEqualTo(segments);
            assertThat(merged.keysCopied()).isEqualTo(5000);
            assertThat(openFiles() - before).isLessThan(50);
            for (int k = 1; k < 5000; k++) assertThat(s(cask.get(b("key" + k)))).isEqualTo("value-" + (5000 + k));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.filter(p -> p.toString().endsWith(".data")).count()).isLessThan(5);
        }
    }

    /** Child: writes MiB of 4 KiB values under -Xmx64m, reads every one back, prints "ok KEYS". */
    public static final class LargerThanHeap {
        public static void main(String[] args) {
            long bytes = Long.parseLong(args[1]) << 20;
            byte[] value = new byte[4096];
            int keys = (int) (bytes / value.length);
            try (Cask cask = Cask.open(Path.of(args[0]), CaskOptions.defaults().withMaxFileSize(64L << 20))) {
                for (int i = 0; i < keys; i++) {
                    value[0] = (byte) i;
                    value[1] = (byte) (i >> 8);
                    value[2] = (byte) (i >> 16);
                    cask.put(b("k" + i), value);
                }
                for (int i = 0; i < keys; i++) {
                    byte[] v = cask.get(b("k" + i));
                    if (v.length != 4096 || v[0] != (byte) i || v[1] != (byte) (i >> 8) || v[2] != (byte) (i >> 16)) {
                        throw new IllegalStateException("wrong value for k" + i);
                    }
                }
            }
            System.out.println("ok " + keys);
        }
    }

    @Test
    void aDatasetEightTimesTheHeapWorks() throws Exception {
        Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx64m", "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), LargerThanHeap.class.getName(), dir.toString(), "512")
                .redirectErrorStream(true).start();
        String output;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            output = String.join("\n", out.lines().toList());
        }
        assertThat(child.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(output).contains("ok 131072");
        assertThat(child.exitValue()).isZero();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.mapToLong(p -> p.toFile().length()).sum()).isGreaterThan(512L << 20);
        }
    }
}

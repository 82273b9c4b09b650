package dev.cask.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The charts are drawn from raw figures in the formats the benchmarks write, and bad figures are refused by name. */
class ChartsTest {
    @TempDir
    Path dir;

    private static boolean hasColor(BufferedImage image, int r, int g, int b) {
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                if (Math.abs(((rgb >> 16) & 0xFF) - r) < 8 && Math.abs(((rgb >> 8) & 0xFF) - g) < 8 && Math.abs((rgb & 0xFF) - b) < 8) return true;
            }
        }
        return false;
    }

    @Test
    void mergeLatencyShadesTheMergeIntervals() throws Exception {
        Path log = dir.resolve("latency.hlog");
        try (PrintStream out = new PrintStream(log.toFile())) {
            HistogramLogWriter writer = new HistogramLogWriter(out);
            writer.outputLogFormatVersion();
            writer.outputStartTime(1_000_000);
            writer.setBaseTime(1_000_000);
            for (int i = 0; i < 30; i++) {
                Histogram h = new Histogram(3);
                for (int v = 1; v <= 100; v++) h.recordValue(v * (i >= 10 && i < 20 ? 3_000L : 1_000L));
                h.setStartTimeStamp(1_000_000 + i * 100L);
                h.setEndTimeStamp(1_000_000 + (i + 1) * 100L);
                h.setTag(i >= 10 && i < 20 ? "merge" : "quiet");
                writer.outputIntervalHistogram(h);
            }
        }
        Path png = dir.resolve("merge.png");
        Charts.mergeLatency(log, png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(1000);
        assertThat(hasColor(image, 252, 234, 211)).as("the merge's shading").isTrue();

        Path empty = Files.writeString(dir.resolve("empty.hlog"), "#[StartTime: 1000.000 (seconds since epoch)]\n");
        assertThatThrownBy(() -> Charts.mergeLatency(empty, dir.resolve("x.png"))).hasMessageContaining("holds no intervals");
    }

    @Test
    void theOtherChartsReadWhatTheirBenchmarksWrite() throws Exception {
        Path fsync = Files.writeString(dir.resolve("fsync.json"), """
                {"rows":[{"mode":"no fsync","kind":"raw","recordsPerSec":250000.0,"fsyncsPerRecord":0.0,"writesPerRecord":1.0,"p50Micros":3.1,"p99Micros":8.0},
                {"mode":"fsync per record","kind":"raw","recordsPerSec":4000.0,"fsyncsPerRecord":1.0,"writesPerRecord":1.0,"p50Micros":230.0,"p99Micros":420.0}],
                "fileSystem":{"type":"ext4","device":"/dev/vda","mountPoint":"/"},"records":10000,"recordSize":4096,"loss":[]}""");
        Charts.fsync(fsync, dir.resolve("fsync.png"));
        assertThat(ImageIO.read(dir.resolve("fsync.png").toFile()).getHeight()).isEqualTo(120 + 42 * 2);

        Path tsv = Files.writeString(dir.resolve("redis.tsv"), """
                sync\tline\ttest\tredis_rps\tcask_rps\tratio
                none\t-c 50\tSET\t80000\t72000\t0.900
                none\t-c 50\tGET\t80000\t88000\t1.100
                """);
        Charts.redis(tsv, dir.resolve("redis.png"));
        assertThat(ImageIO.read(dir.resolve("redis.png").toFile()).getHeight()).isEqualTo(120 + 18 * 2);
        Path shortLine = Files.writeString(dir.resolve("bad.tsv"), "none\t-c 50\tSET\t80000\n");
        assertThatThrownBy(() -> Charts.redis(shortLine, dir.resolve("x.png"))).hasMessageContaining("expected sync, line, test");

        Path crash = Files.writeString(dir.resolve("crash.json"), """
                {"rows":[],"summary":{"naive":{"old state":3,"inconsistent":2},"cow":{"old state":4,"new state":1}}}""");
        Charts.crash(crash, dir.resolve("crash.png"));
        BufferedImage image = ImageIO.read(dir.resolve("crash.png").toFile());
        assertThat(hasColor(image, 200, 40, 40)).as("the inconsistent outcome's colour").isTrue();
        Path notJson = Files.writeString(dir.resolve("not.json"), "{rows: [");
        assertThatThrownBy(() -> Charts.crash(notJson, dir.resolve("x.png"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not JSON");
        Path otherJson = Files.writeString(dir.resolve("other.json"), "{\"summary\": {\"naive\": 3}}");
        assertThatThrownBy(() -> Charts.crash(otherJson, dir.resolve("x.png"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not what cask crashsim --format json writes");
        assertThatThrownBy(() -> Charts.fsync(otherJson, dir.resolve("x.png"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not what cask bench fsync --json writes");
    }
}

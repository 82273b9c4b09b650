package dev.cask.cli;

import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * Latencies over time, as an HdrHistogram interval log: one histogram per 100 ms, tagged with
 * what ran meanwhile ({@code quiet}, {@code merge}). HdrHistogram's own tools read it, and so does
 * {@code cask chart merge-latency}. Values are nanoseconds.
 */
final class IntervalLatencyLog implements AutoCloseable {
    private static final long INTERVAL_NANOS = 100_000_000L;
    private final PrintStream out;
    private final HistogramLogWriter writer;
    private final Histogram interval = new Histogram(3_600_000_000_000L, 3);
    private final long startNanos = System.nanoTime();
    private final long startMillis = System.currentTimeMillis();
    private long intervalStart = startNanos;
    private String tag = "quiet";

    private IntervalLatencyLog(PrintStream out) {
        this.out = out;
        this.writer = new HistogramLogWriter(out);
        writer.outputLogFormatVersion();
        writer.outputStartTime(startMillis);
        writer.setBaseTime(startMillis);
        writer.outputLegend();
    }

    static IntervalLatencyLog open(Path file) throws FileNotFoundException {
        return new IntervalLatencyLog(new PrintStream(file.toFile()));
    }

    /** Ends the current interval and labels the next ones. */
    void tag(String what) {
        flush(System.nanoTime());
        this.tag = what;
    }

    void record(long nanos) {
        long now = System.nanoTime();
        interval.recordValue(Math.min(nanos, interval.getHighestTrackableValue()));
        if (now - intervalStart >= INTERVAL_NANOS) flush(now);
    }

    private void flush(long now) {
        if (interval.getTotalCount() > 0) {
            interval.setStartTimeStamp(startMillis + (intervalStart - startNanos) / 1_000_000);
            interval.setEndTimeStamp(startMillis + (now - startNanos) / 1_000_000);
            interval.setTag(tag);
            writer.outputIntervalHistogram(interval);
            interval.reset();
        }
        intervalStart = now;
    }

    @Override
    public void close() {
        flush(System.nanoTime());
        out.close();
    }
}

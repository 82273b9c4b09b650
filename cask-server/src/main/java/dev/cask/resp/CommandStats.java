package dev.cask.resp;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What INFO's {@code commandstats}, {@code latencystats}, {@code errorstats} and {@code instantaneous_ops_per_sec} report,
 * counted as Redis counts them: per command its calls, the time they took, the calls that failed
 * while running (answered an error) and those rejected before running (wrong arity, no
 * authentication); per error prefix ({@code ERR}, {@code WRONGTYPE}, ...) the errors answered.
 * Loop thread only.
 */
final class CommandStats {
    /** One command's counts, and its latencies (ns, 2 significant digits, up to 100 s) for INFO's latencystats. */
    static final class Counts {
        long calls;
        long nanos;
        long failed;
        long rejected;
        final org.HdrHistogram.Histogram latency = new org.HdrHistogram.Histogram(100_000_000_000L, 2); // as Redis: 2 digits; about 40 KB a command
    }


    private final EnumMap<CommandSpec, Counts> byCommand = new EnumMap<>(CommandSpec.class);
    private final Map<String, Long> errors = new TreeMap<>();
    private long errorReplies;
    private final RateMeter ops = new RateMeter();

    private Counts of(CommandSpec spec) {
        return byCommand.computeIfAbsent(spec, s -> new Counts());
    }

    void ran(CommandSpec spec, long nanos, boolean failed) {
        Counts c = of(spec);
        c.calls++;
        c.nanos += nanos;
        c.latency.recordValue(Math.min(Math.max(nanos, 1), c.latency.getHighestTrackableValue()));
        if (failed) c.failed++;
    }

    void rejected(CommandSpec spec) {
        of(spec).rejected++;
    }

    /** An error reply: counted under its first word, as Redis's {@code errorstat_<PREFIX>}. */
    void error(String text) {
        int space = text.indexOf(' ');
        String prefix = space < 0 ? text : text.substring(0, space);
        if (prefix.isEmpty() || prefix.length() > 64) prefix = "ERR";
        errors.merge(prefix, 1L, Long::sum);
        errorReplies++;
    }

    long errorReplies() {
        return errorReplies;
    }

    /** Called each loop turn: every 100 ms, the rate of commands since the last sample joins the last 16. */
    void sample(long nowMillis, long commandsProcessed) {
        ops.sample(nowMillis, commandsProcessed);
    }

    /** The mean of the last 16 samples (1.6 s), as Redis's {@code instantaneous_ops_per_sec}. */
    long instantaneousOpsPerSecond() {
        return ops.perSecond();
    }

    void appendCommandStats(StringBuilder out) {
        out.append("# Commandstats\r\n");
        for (Map.Entry<CommandSpec, Counts> e : byCommand.entrySet()) {
            Counts c = e.getValue();
            long usec = c.nanos / 1000;
            out.append("cmdstat_").append(e.getKey().lowerName()).append(":calls=").append(c.calls).append(",usec=").append(usec)
                    .append(",usec_per_call=").append(String.format(Locale.ROOT, "%.2f", c.calls == 0 ? 0.0 : (double) c.nanos / 1000 / c.calls))
                    .append(",rejected_calls=").append(c.rejected).append(",failed_calls=").append(c.failed).append("\r\n");
        }
        out.append("\r\n");
    }

    /** Redis 7's latencystats: each command's p50, p99 and p99.9 in microseconds. */
    void appendLatencyStats(StringBuilder out) {
        out.append("# Latencystats\r\n");
        for (Map.Entry<CommandSpec, Counts> e : byCommand.entrySet()) {
            org.HdrHistogram.Histogram h = e.getValue().latency;
            if (h.getTotalCount() == 0) continue;
            out.append("latency_percentiles_usec_").append(e.getKey().lowerName()).append(':')
                    .append(String.format(Locale.ROOT, "p50=%.3f,p99=%.3f,p99.9=%.3f", h.getValueAtPercentile(50) / 1000.0,
                            h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0))
                    .append("\r\n");
        }
        out.append("\r\n");
    }

    void appendErrorStats(StringBuilder out) {
        out.append("# Errorstats\r\n");
        for (Map.Entry<String, Long> e : errors.entrySet()) out.append("errorstat_").append(e.getKey()).append(":count=").append(e.getValue()).append("\r\n");
        out.append("\r\n");
    }

    void reset() {
        byCommand.clear();
        errors.clear();
        errorReplies = 0;
    }
}

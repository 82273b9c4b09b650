package dev.cask.peers;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The peer run's results as a Markdown table, a bar chart and JSON (keys in a fixed order). */
final class Report {
    private Report() {}

    private record Row(String label, ToDoubleFunction<Result> value, boolean higherIsBetter, String format) {}

    private static final List<Row> ROWS = List.of(
            new Row("fill, puts/s (random order)", Result::fillPerSecond, true, "%,.0f"),
            new Row("random get, every value checked, gets/s", Result::getPerSecond, true, "%,.0f"),
            new Row("durable put, 1 thread, puts/s", Result::durablePerSecond1, true, "%,.0f"),
            new Row("durable put, 16 threads, puts/s", Result::durablePerSecond16, true, "%,.0f"),
            new Row("reopen after a clean close, s", Result::reopenSeconds, false, "%.3f"),
            new Row("disk bytes per key", Result::diskBytesPerKey, false, "%.1f"),
            new Row("heap bytes per key", Result::heapBytesPerKey, false, "%.1f"));

    static String table(int keys, int seconds, List<Result> results) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%,d keys of 16 bytes, 100-byte values; durable runs %d s each%n%n", keys, seconds));
        s.append("| |");
        for (Result r : results) s.append(' ').append(r.engine()).append(" |");
        boolean withCask = results.size() > 1 && results.getFirst().engine().equals("Cask");
        if (withCask) s.append(" Cask vs best peer |");
        s.append('\n').append("|---|");
        s.append("---|".repeat(results.size() + (withCask ? 1 : 0))).append('\n');
        for (Row row : ROWS) {
            s.append("| ").append(row.label()).append(" |");
            for (Result r : results) s.append(' ').append(String.format(Locale.ROOT, row.format(), row.value().applyAsDouble(r))).append(" |");
            if (withCask) s.append(' ').append(versusBest(row, results)).append(" |");
            s.append('\n');
        }
        return s.toString();
    }

    /** Cask's figure over the best peer's, as "2.10x" where higher is better and as "0.80x the time/bytes" where lower is. */
    private static String versusBest(Row row, List<Result> results) {
        double cask = row.value().applyAsDouble(results.getFirst());
        double best = row.higherIsBetter() ? 0 : Double.MAX_VALUE;
        String bestName = "";
        for (Result r : results.subList(1, results.size())) {
            double v = row.value().applyAsDouble(r);
            if (row.higherIsBetter() ? v > best : v < best) {
                best = v;
                bestName = r.engine();
            }
        }
        if (best == 0) return "n/a";
        return String.format(Locale.ROOT, "%.2fx %s", cask / best, bestName);
    }

    static String chart(List<Result> results) {
        StringBuilder s = new StringBuilder();
        for (Row row : ROWS) {
            double max = results.stream().mapToDouble(row.value()).max().orElse(0);
            s.append(row.label()).append(row.higherIsBetter() ? " (longer is better)" : " (shorter is better)").append('\n');
            for (Result r : results) {
                double v = row.value().applyAsDouble(r);
                int width = max <= 0 ? 0 : (int) Math.round(40 * v / max);
                s.append(String.format(Locale.ROOT, "  %-11s %s %s%n", r.engine(), "#".repeat(width), String.format(Locale.ROOT, row.format(), v)));
            }
        }
        return s.toString();
    }

    static String json(int keys, int seconds, List<Result> results) {
        StringBuilder s = new StringBuilder();
        s.append("{\"keys\":").append(keys).append(",\"durableSeconds\":").append(seconds).append(",\"engines\":[");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            if (i > 0) s.append(',');
            s.append(String.format(Locale.ROOT, "{\"engine\":\"%s\",\"fillPerSecond\":%.0f,\"getPerSecond\":%.0f,\"durablePerSecond1\":%.0f,"
                    + "\"durablePerSecond16\":%.0f,\"reopenSeconds\":%.4f,\"diskBytesPerKey\":%.2f,\"heapBytesPerKey\":%.2f}",
                    r.engine(), r.fillPerSecond(), r.getPerSecond(), r.durablePerSecond1(), r.durablePerSecond16(), r.reopenSeconds(),
                    r.diskBytesPerKey(), r.heapBytesPerKey()));
        }
        return s.append("]}\n").toString();
    }
}

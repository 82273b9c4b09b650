package dev.cask.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.ui.Layer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Draws the benchmarks' charts (PNG, with JFreeChart) from the raw figures the benchmarks write. */
final class Charts {
    private static final int WIDTH = 1000;

    private Charts() {}

    /** Put latency p99 and max per 100 ms interval from {@code cask bench merge --latency-log}, the merges shaded. */
    static void mergeLatency(Path log, Path png) throws IOException {
        XYSeries p99 = new XYSeries("p99");
        XYSeries max = new XYSeries("max");
        List<double[]> merges = new ArrayList<>();
        HistogramLogReader reader = new HistogramLogReader(log.toFile());
        double first = Double.NaN;
        double[] merging = null;
        for (Histogram h = (Histogram) reader.nextIntervalHistogram(); h != null; h = (Histogram) reader.nextIntervalHistogram()) {
            if (Double.isNaN(first)) first = h.getStartTimeStamp() / 1000.0;
            double from = h.getStartTimeStamp() / 1000.0 - first;
            double to = h.getEndTimeStamp() / 1000.0 - first;
            p99.add(to, Math.max(0.1, h.getValueAtPercentile(99) / 1000.0));
            max.add(to, Math.max(0.1, h.getMaxValue() / 1000.0));
            boolean inMerge = "merge".equals(h.getTag());
            if (inMerge && merging == null) merging = new double[] {from, to};
            else if (inMerge) merging[1] = to;
            else if (merging != null) {
                merges.add(merging);
                merging = null;
            }
        }
        if (merging != null) merges.add(merging);
        if (p99.isEmpty()) throw new IllegalArgumentException(log + " holds no intervals");
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(p99);
        data.addSeries(max);
        JFreeChart chart = ChartFactory.createXYLineChart("Put latency per 100 ms, merges shaded", "seconds", "microseconds", data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setRangeAxis(logAxis("microseconds (log scale)"));
        for (double[] m : merges) {
            IntervalMarker marker = new IntervalMarker(m[0], m[1], new Color(255, 200, 120, 110));
            marker.setLabel("merge");
            plot.addDomainMarker(marker, Layer.BACKGROUND);
        }
        style(chart);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, 500);
    }

    /** The fsync cost table of {@code cask bench fsync --json}: p50 and p99 per record, one bar pair per mode. */
    static void fsync(Path json, Path png) throws IOException {
        Shape shape = new Shape(json, "cask bench fsync --json");
        JsonObject root = shape.object(read(json), "the document");
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (JsonElement e : shape.array(root, "rows")) {
            JsonObject row = shape.object(e, "a row");
            String mode = shape.string(row, "mode");
            data.addValue(Math.max(0.1, shape.number(row, "p50Micros")), "p50", mode);
            data.addValue(Math.max(0.1, shape.number(row, "p99Micros")), "p99", mode);
        }
        JsonObject fs = shape.object(root.get("fileSystem"), "fileSystem");
        String title = "Cost of one durable record, " + (long) shape.number(root, "recordSize") + " B records on " + shape.string(fs, "type");
        JFreeChart chart = ChartFactory.createBarChart(title, "", "microseconds per record", data, PlotOrientation.HORIZONTAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setRangeAxis(logAxis("microseconds per record (log scale)"));
        bars(plot);
        style(chart);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, 120 + 42 * data.getColumnCount());
    }

    /** cask/redis per redis-benchmark line from bench/resp-vs-redis.sh's raw table (TSV), with the goals marked. */
    static void redis(Path tsv, Path png) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (String line : Files.readAllLines(tsv, StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("sync\t")) continue;
            String[] f = line.split("\t");
            if (f.length < 6) throw new IllegalArgumentException(tsv + ": expected sync, line, test, redis rps, cask rps, ratio: " + line);
            try {
                data.addValue(Double.parseDouble(f[5]), "cask / redis-server", f[0] + "  " + f[1] + "  " + f[2]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(tsv + ": the ratio '" + f[5] + "' is not a number", e);
            }
        }
        if (data.getColumnCount() == 0) throw new IllegalArgumentException(tsv + " holds no lines");
        JFreeChart chart = ChartFactory.createBarChart("cask serve against redis-server, requests/s, one run", "", "cask / redis-server", data,
                PlotOrientation.HORIZONTAL, false, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        ValueMarker even = new ValueMarker(1.0, Color.DARK_GRAY, new BasicStroke(1.5f));
        even.setLabel("1.0");
        plot.addRangeMarker(even, Layer.FOREGROUND);
        ValueMarker collections = new ValueMarker(0.7, Color.GRAY, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f,
                new float[] {4f, 4f}, 0f));
        collections.setLabel("0.7");
        plot.addRangeMarker(collections, Layer.FOREGROUND);
        ((NumberAxis) plot.getRangeAxis()).setNumberFormatOverride(new java.text.DecimalFormat("0.0"));
        bars(plot);
        style(chart);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, 120 + 18 * data.getColumnCount());
    }

    /** What recovery found after each enumerated crash, per mode, from {@code cask crashsim --format json}: stacked bars. */
    static void crash(Path json, Path png) throws IOException {
        Shape shape = new Shape(json, "cask crashsim --format json");
        JsonObject summary = shape.object(shape.object(read(json), "the document").get("summary"), "summary");
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Map.Entry<String, JsonElement> mode : summary.entrySet()) {
            JsonObject counts = shape.object(mode.getValue(), "the summary of " + mode.getKey());
            for (dev.cask.lab.crash.Outcome o : dev.cask.lab.crash.Outcome.values()) {
                data.addValue(counts.has(o.text) ? shape.number(counts, o.text) : 0, o.text, mode.getKey());
            }
        }
        JFreeChart chart = ChartFactory.createStackedBarChart("States after a crash at every point, drive cache reordering included (crashsim)", "",
                "crash points (with reorderings)",
                data, PlotOrientation.HORIZONTAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        ((NumberAxis) plot.getRangeAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        bars(plot);
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        Color[] colors = {new Color(120, 170, 220), new Color(90, 180, 110), new Color(240, 190, 80), new Color(180, 140, 220),
                new Color(230, 120, 60), new Color(200, 40, 40)};
        for (int i = 0; i < colors.length; i++) renderer.setSeriesPaint(i, colors[i]);
        style(chart);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, 160 + 40 * data.getColumnCount());
    }

    /** Powers of ten, labelled as plain numbers (0.1, 1, 10, 100 ...). */
    private static LogAxis logAxis(String label) {
        LogAxis axis = new LogAxis(label);
        axis.setBase(10);
        axis.setSmallestValue(0.1);
        axis.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1.0));
        axis.setNumberFormatOverride(new java.text.DecimalFormat("#,##0.#"));
        return axis;
    }

    /** Reads what a benchmark wrote, naming the first field that is missing or of the wrong kind. */
    private record Shape(Path file, String writer) {
        private IllegalArgumentException wrong(String what) {
            return new IllegalArgumentException(file + " is not what " + writer + " writes: " + what);
        }

        JsonObject object(JsonElement e, String what) {
            if (e == null || !e.isJsonObject()) throw wrong(what + " is not an object");
            return e.getAsJsonObject();
        }

        com.google.gson.JsonArray array(JsonObject o, String name) {
            JsonElement v = o.get(name);
            if (v == null || !v.isJsonArray()) throw wrong(name + " is not an array");
            return v.getAsJsonArray();
        }

        double number(JsonObject o, String name) {
            JsonElement v = o.get(name);
            if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) throw wrong(name + " is not a number");
            return v.getAsDouble();
        }

        String string(JsonObject o, String name) {
            JsonElement v = o.get(name);
            if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) throw wrong(name + " is not a string");
            return v.getAsString();
        }
    }

    private static JsonElement read(Path json) throws IOException {
        try {
            return JsonParser.parseString(Files.readString(json, StandardCharsets.UTF_8));
        } catch (com.google.gson.JsonParseException e) {
            throw new IllegalArgumentException(json + " is not JSON: " + e.getMessage(), e);
        }
    }

    private static void bars(CategoryPlot plot) {
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setItemMargin(0.05);
        CategoryAxis categories = plot.getDomainAxis();
        categories.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        categories.setMaximumCategoryLabelWidthRatio(0.45f);
    }

    private static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getPlot().setBackgroundPaint(new Color(250, 250, 250));
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    }
}

package dev.cask.cli;

import dev.cask.lab.DurabilityReport;
import dev.cask.lab.FileSystemInfo;
import dev.cask.lab.FsyncRow;
import dev.cask.lab.FsyncTable;
import dev.cask.lab.LossTrials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "fsync", mixinStandardHelpOptions = true,
        description = {"The fsync cost table of this disk: raw modes, then the Cask engine under each sync policy.",
                "With --kill-trials, also what each mode loses after SIGKILL and after a simulated power cut."})
final class BenchFsyncCommand implements Callable<Integer> {
    @Option(names = "--dir", paramLabel = "D", description = "Directory to test (default: the working directory).")
    Path dir;

    @Option(names = "--records", paramLabel = "N", defaultValue = "10000", description = "Records per mode (default ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--record-size", paramLabel = "B", defaultValue = "4096", description = "Record size in bytes (default ${DEFAULT-VALUE}).")
    int recordSize;

    @Option(names = "--kill-trials", paramLabel = "T", defaultValue = "0", description = "SIGKILL and power-cut trials per mode (default none).")
    int killTrials;

    @Option(names = "--no-engine", description = "Only the raw rows.")
    boolean noEngine;

    @Option(names = "--allow-tmpfs", description = "Run even on tmpfs, where the numbers mean nothing.")
    boolean allowTmpfs;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Option(names = "--report", paramLabel = "FILE", description = "Also write the Markdown report (e.g. docs/DURABILITY.md).")
    Path report;

    @Override
    public Integer call() throws Exception {
        if (killTrials < 0) throw new IllegalArgumentException("--kill-trials must be >= 0");
        Path base = dir != null ? dir : Path.of(".");
        Files.createDirectories(base);
        FileSystemInfo fs = FileSystemInfo.of(base);
        if (fs.isTmpfs()) {
            if (!allowTmpfs) throw new IllegalArgumentException(base + " is on " + fs.type() + ": fsync costs nothing there and the table would mean nothing; use a directory on a real disk, or --allow-tmpfs");
            System.err.println("WARNING: " + base + " is on " + fs.type() + ": fsync costs nothing there; these numbers do not describe any disk");
        }
        System.err.println("cask bench fsync: " + base.toAbsolutePath() + " is " + fs);
        Path work = Files.createTempDirectory(base, "cask-bench-fsync-");
        List<FsyncRow> rows;
        List<LossTrials.Summary> kills = List.of();
        List<LossTrials.Summary> cuts = List.of();
        try {
            try (TerminalProgress progress = TerminalProgress.start("fsync table")) {
                rows = new FsyncTable(work, records, recordSize, (d, t) -> progress.update(d, t)).run(!noEngine);
            }
            if (killTrials > 0) {
                LossTrials trials;
                try (TerminalProgress progress = TerminalProgress.start("kill trials")) {
                    trials = new LossTrials(work, recordSize, killTrials, System.nanoTime(), (d, t) -> progress.update(d, t));
                    kills = trials.killTrials(System.getProperty("java.class.path"));
                }
                cuts = trials.powerCutTrials();
            }
        } finally {
            BenchSupport.delete(work);
        }
        if (report != null) {
            Files.createDirectories(report.toAbsolutePath().getParent());
            Files.writeString(report, DurabilityReport.render(LocalDate.now(java.time.ZoneOffset.UTC).toString(), fs, records, recordSize, rows, kills, cuts));
            System.err.println("wrote " + report);
        }
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            List<Object> list = new ArrayList<>();
            for (FsyncRow r : rows) list.add(rowMap(r));
            out.put("rows", list);
            out.put("fileSystem", Map.of("type", fs.type(), "device", fs.device(), "mountPoint", fs.mountPoint()));
            out.put("records", records);
            out.put("recordSize", recordSize);
            List<Object> losses = new ArrayList<>();
            for (LossTrials.Summary s : kills) losses.add(lossMap(s));
            for (LossTrials.Summary s : cuts) losses.add(lossMap(s));
            out.put("loss", losses);
            System.out.println(Json.write(out));
        } else {
            System.out.printf("%-60s %12s %10s %9s %9s %8s%n", "mode", "records/s", "fsync/rec", "p50 us", "p99 us", "vs raw");
            for (FsyncRow r : rows) {
                System.out.printf(Locale.ROOT, "%-60s %,12.0f %10.3f %9.1f %9.1f %8s%n", r.mode(), r.recordsPerSec(), r.fsyncsPerRecord(), r.p50Micros(),
                        r.p99Micros(), r.rawMode() == null ? "" : String.format(Locale.ROOT, "%.2fx", r.ratioToRaw()));
            }
            if (!kills.isEmpty()) {
                System.out.printf("%n%-60s %-30s %-22s %s%n", "mode", "crash", "lost (min/median/max)", "medians: acked, valid, torn, file bytes");
                List<LossTrials.Summary> all = new ArrayList<>(kills);
                all.addAll(cuts);
                for (LossTrials.Summary s : all) {
                    System.out.printf("%-60s %-30s %-22s %d, %d, %d, %d%n", s.mode(), s.crash(), s.lostMin() + " / " + s.lostMedian() + " / " + s.lostMax(),
                            s.ackedMedian(), s.validMedian(), s.tornMedian(), s.lengthMedian());
                }
            }
        }
        return 0;
    }

    private static Map<String, Object> rowMap(FsyncRow r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", r.mode());
        m.put("kind", r.kind());
        m.put("recordsPerSec", r.recordsPerSec());
        m.put("fsyncsPerRecord", r.fsyncsPerRecord());
        m.put("writesPerRecord", r.writesPerRecord());
        m.put("p50Micros", r.p50Micros());
        m.put("p99Micros", r.p99Micros());
        if (r.rawMode() != null) {
            m.put("comparedWith", r.rawMode());
            m.put("ratioToRaw", r.ratioToRaw());
        }
        return m;
    }

    private static Map<String, Object> lossMap(LossTrials.Summary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", s.mode());
        m.put("crash", s.crash());
        m.put("trials", s.trials());
        m.put("lostMin", s.lostMin());
        m.put("lostMedian", s.lostMedian());
        m.put("lostMax", s.lostMax());
        m.put("ackedMedian", s.ackedMedian());
        m.put("validMedian", s.validMedian());
        m.put("tornMedian", s.tornMedian());
        m.put("fileBytesMedian", s.lengthMedian());
        return m;
    }
}

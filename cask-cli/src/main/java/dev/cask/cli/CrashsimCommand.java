package dev.cask.cli;

import dev.cask.lab.crash.CrashSim;
import dev.cask.lab.crash.Mode;
import dev.cask.lab.crash.Outcome;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "crashsim", mixinStandardHelpOptions = true,
        description = {"Crash a model file system (naive, journaled, copy-on-write) at every point of an operation and classify what recovery makes of it.",
                "One row per (operation, crash point, mode, reordering), then a summary."})
final class CrashsimCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--op", paramLabel = "OP", defaultValue = "all", description = "touch, append, unlink or all (default ${DEFAULT-VALUE}).")
    String op;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "all",
            description = "naive, journal-data, journal-data-nobarrier, journal-data-checksum, journal-ordered, cow or all (default ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--reorder", description = "Also let the writes since the last barrier reach the disk as any subset (drive-cache reordering).")
    boolean reorder;

    @Option(names = "--format", paramLabel = "FMT", defaultValue = "table", description = "table, csv, md or json (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed for sampling when a reordering is too large to enumerate.")
    long seed;

    @Override
    public Integer call() {
        List<String> ops = op.equals("all") ? CrashSim.OPERATIONS : List.of(op);
        for (String o : ops) {
            if (!CrashSim.OPERATIONS.contains(o)) throw new CommandLine.ParameterException(spec.commandLine(), "unknown --op '" + o + "': touch, append, unlink or all");
        }
        List<Mode> modes;
        try {
            modes = mode.equals("all") ? List.of(Mode.values()) : List.of(Mode.parse(mode));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        List<CrashSim.Row> rows = CrashSim.run(ops, modes, reorder, seed);
        Map<String, Map<Outcome, Integer>> summary = CrashSim.summary(rows);
        switch (format) {
            case "json" -> System.out.println(Json.write(json(rows, summary)));
            case "csv" -> {
                System.out.println("op,mode,reorder,crashPoint,persisted,recoveryCrash,outcome");
                for (CrashSim.Row r : rows) {
                    System.out.printf("%s,%s,%s,%d,\"%s\",%d,%s%n", r.op(), r.mode(), r.reorder(), r.crashPoint(), r.persisted(), r.recoveryCrash(), r.outcome());
                }
            }
            case "md" -> {
                System.out.println("| op | mode | reorder | crash point | persisted | recovery crash | outcome |\n|---|---|---|---|---|---|---|");
                for (CrashSim.Row r : rows) {
                    System.out.printf("| %s | %s | %s | %d | %s | %s | %s |%n", r.op(), r.mode(), r.reorder() ? "yes" : "no", r.crashPoint(),
                            r.persisted().replace("|", "/"), r.recoveryCrash() < 0 ? "" : "after " + r.recoveryCrash(), r.outcome());
                }
                printSummary(summary, "\n| mode | ");
            }
            case "table" -> {
                System.out.printf("%-7s %-24s %-7s %-5s %-70s %-8s %s%n", "op", "mode", "reorder", "crash", "persisted", "rec.crash", "outcome");
                for (CrashSim.Row r : rows) {
                    System.out.printf("%-7s %-24s %-7s %-5d %-70s %-8s %s%n", r.op(), r.mode(), r.reorder() ? "yes" : "no", r.crashPoint(), r.persisted(),
                            r.recoveryCrash() < 0 ? "" : "after " + r.recoveryCrash(), r.outcome());
                }
                printSummary(summary, null);
            }
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "unknown --format '" + format + "': table, csv, md or json");
        }
        return 0;
    }

    private static void printSummary(Map<String, Map<Outcome, Integer>> summary, String markdown) {
        System.out.println();
        if (markdown != null) {
            System.out.println("| mode | " + String.join(" | ", Arrays.stream(Outcome.values()).map(o -> o.text).toList()) + " |");
            System.out.println("|---|" + "---|".repeat(Outcome.values().length));
        } else {
            System.out.printf("%-24s", "summary: mode");
            for (Outcome o : Outcome.values()) System.out.printf(" %30s", o.text);
            System.out.println();
        }
        for (Map.Entry<String, Map<Outcome, Integer>> e : summary.entrySet()) {
            if (markdown != null) {
                System.out.println("| " + e.getKey() + " | " + String.join(" | ", Arrays.stream(Outcome.values()).map(o -> String.valueOf(e.getValue().getOrDefault(o, 0))).toList()) + " |");
            } else {
                System.out.printf("%-24s", e.getKey());
                for (Outcome o : Outcome.values()) System.out.printf(" %30d", e.getValue().getOrDefault(o, 0));
                System.out.println();
            }
        }
    }

    private static Map<String, Object> json(List<CrashSim.Row> rows, Map<String, Map<Outcome, Integer>> summary) {
        List<Object> list = new ArrayList<>();
        for (CrashSim.Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("op", r.op());
            m.put("mode", r.mode());
            m.put("reorder", r.reorder());
            m.put("crashPoint", r.crashPoint());
            m.put("persisted", r.persisted());
            m.put("recoveryCrash", r.recoveryCrash());
            m.put("outcome", r.outcome());
            list.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rows", list);
        Map<String, Object> counts = new LinkedHashMap<>();
        summary.forEach((mode, byOutcome) -> {
            Map<String, Object> c = new LinkedHashMap<>();
            byOutcome.forEach((o, n) -> c.put(o.text, n));
            counts.put(mode, c);
        });
        out.put("summary", counts);
        return out;
    }
}

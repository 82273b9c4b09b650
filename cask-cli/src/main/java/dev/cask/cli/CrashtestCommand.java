package dev.cask.cli;

import dev.cask.lab.crash.CrashTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "crashtest", mixinStandardHelpOptions = true,
        description = {"Record every write, force and rename the engine makes during a workload, rebuild the files at every crash point",
                "(kill, power cut, torn write, zeroed or garbage tail, crash during recovery) and open each with the engine.",
                "Exit 1 if any state violates durability, atomicity or check."})
final class CrashtestCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--workload", paramLabel = "W", defaultValue = "all",
            description = "puts, deletes, batches, rotation, merge, backup or all (default ${DEFAULT-VALUE}).")
    String workload;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of the workload and of sampled states (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--broken", paramLabel = "WHAT",
            description = "Check the checker: pretend the engine's directory syncs (dirsync) or forces (force) never reach the disk.")
    String broken;

    @Mixin
    ScratchOptions options;

    @Override
    public Integer call() throws Exception {
        List<String> workloads = workload.equals("all") ? CrashTest.WORKLOADS : List.of(workload);
        for (String w : workloads) {
            if (!CrashTest.WORKLOADS.contains(w)) throw new CommandLine.ParameterException(spec.commandLine(), "unknown --workload '" + w + "': " + String.join(", ", CrashTest.WORKLOADS) + " or all");
        }
        if (broken != null && !broken.equals("dirsync") && !broken.equals("force")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--broken takes dirsync or force");
        }
        Path scratch = Files.createTempDirectory(options.base != null ? options.base : Path.of("."), "cask-bench-crashtest-");
        List<CrashTest.Result> results = new ArrayList<>();
        try {
            for (String w : workloads) {
                try (TerminalProgress progress = TerminalProgress.start("crashtest " + w)) {
                    CrashTest test = new CrashTest(seed, "dirsync".equals(broken), "force".equals(broken), (d, t) -> progress.update(d, t));
                    results.add(test.run(w, scratch));
                }
            }
        } finally {
            BenchSupport.delete(scratch);
        }
        long states = results.stream().mapToLong(CrashTest.Result::statesGenerated).sum();
        long violations = results.stream().mapToLong(r -> r.violations().size()).sum();
        if (options.json) {
            Map<String, Object> out = new LinkedHashMap<>();
            List<Object> list = new ArrayList<>();
            for (CrashTest.Result r : results) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("workload", r.workload());
                m.put("operations", r.operations());
                m.put("states", r.statesGenerated());
                m.put("distinctStatesOpened", r.distinctChecked());
                m.put("violations", r.violations().stream().limit(20).toList());
                list.add(m);
            }
            out.put("workloads", list);
            out.put("broken", broken == null ? "none" : broken);
            System.out.println(Json.write(out));
        } else {
            System.out.printf("%-10s %10s %10s %14s %10s%n", "workload", "operations", "states", "distinct opened", "violations");
            for (CrashTest.Result r : results) {
                System.out.printf("%-10s %10d %10d %14d %10d%n", r.workload(), r.operations(), r.statesGenerated(), r.distinctChecked(), r.violations().size());
                r.violations().stream().limit(5).forEach(v -> System.out.println("  VIOLATION " + v));
            }
            System.out.printf("%d crash states, %d violations%s%n", states, violations, broken == null ? "" : " (with --broken " + broken + ")");
        }
        return violations == 0 ? 0 : Main.MISSING;
    }
}

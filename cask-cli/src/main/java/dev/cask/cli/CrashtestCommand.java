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
                "(kill, power cut, torn write or sector, zeroed or garbage tail, crash during recovery) and open each with the engine.",
                "Each policy is held to its README loss bound; with --failure each write, force, rename and unlink fails in turn.",
                "Exit 1 if any state violates durability, atomicity or check."})
final class CrashtestCommand implements Callable<Integer> {
    /** The default matrix: every workload under always, every policy on the workloads that show a policy's bound, and failures. */
    static final List<String[]> DEFAULT_MATRIX = defaultMatrix();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--workload", paramLabel = "W", description = "One of ${COMPLETION-CANDIDATES}, or all (default: the matrix below).",
            completionCandidates = Workloads.class)
    String workload;

    @Option(names = "--policy", paramLabel = "P", description = "A sync policy, or all (default: the matrix below).")
    String policy;

    @Option(names = "--failure", paramLabel = "F", description = "none, eio, enospc or all (default: the matrix below).")
    String failure;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of the workload and of sampled states (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--broken", paramLabel = "WHAT",
            description = {"Check the checker by putting a defect back: dirsync (directory syncs never reach the disk), force (forces never do),",
                    "recovery-force (open does not force what it recovered), failstop (a failed force is reported as a success),",
                    "mkdir (new directories are not synced into their parent), fdatasync (no force makes a new length durable),",
                    "merge-failure (merging goes on after a merge failed late), close-force (close forces aside and a force of the closed",
                    "file counts as done), stale-hint (a hint is applied before its check, and repair replaces data before its hint)."})
    String broken;

    @Mixin
    ScratchOptions options;

    static final class Workloads extends ArrayList<String> {
        Workloads() {
            super(CrashTest.WORKLOADS);
        }
    }

    /**
     * Without options: every workload under always; every other policy on puts (and none on reopen,
     * where defect 3 lived, and on fs); EIO at each call of puts, rotation, merge, repair, concurrent, close and turns, and
     * ENOSPC at each call of puts. About eight minutes on two cores.
     */
    private static List<String[]> defaultMatrix() {
        List<String[]> out = new ArrayList<>();
        for (String w : CrashTest.WORKLOADS) out.add(new String[] {w, "always", "none"});
        for (String p : CrashTest.POLICIES) if (!p.equals("always")) out.add(new String[] {"puts", p, "none"});
        out.add(new String[] {"reopen", "none", "none"});
        out.add(new String[] {"fs", "none", "none"}); // fsync and fsyncdir are the promise there
        for (String w : List.of("puts", "rotation", "merge", "repair", "concurrent", "close", "turns")) out.add(new String[] {w, "always", "eio"});
        out.add(new String[] {"puts", "always", "enospc"});
        return out;
    }

    @Override
    public Integer call() throws Exception {
        if (broken != null && !CrashTest.BROKEN.contains(broken)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--broken takes one of " + String.join(", ", CrashTest.BROKEN));
        }
        List<String[]> matrix = matrix();
        Path scratch = Files.createTempDirectory(options.base != null ? options.base : Path.of("."), "cask-bench-crashtest-");
        List<CrashTest.Result> results = new ArrayList<>();
        try {
            for (String[] cell : matrix) {
                try (TerminalProgress progress = TerminalProgress.start("crashtest " + String.join(" ", cell))) {
                    CrashTest test = new CrashTest(seed, broken, (d, t) -> progress.update(d, t));
                    results.add(test.run(cell[0], cell[1], cell[2], scratch));
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
                m.put("policy", r.policy());
                m.put("failure", r.failure());
                m.put("operations", r.operations());
                m.put("recordedRuns", r.runs());
                m.put("states", r.statesGenerated());
                m.put("distinctStatesOpened", r.distinctChecked());
                m.put("maxAcknowledgedWritesLostOnPowerCut", r.maxAcknowledgedWritesLost());
                if (r.intervalBoundMillis() > 0) m.put("intervalBoundMillis", Math.round(r.intervalBoundMillis()));
                m.put("violationCount", r.violations().size());
                m.put("violations", r.violations().stream().limit(20).toList());
                list.add(m);
            }
            out.put("results", list);
            out.put("totalStates", states);
            out.put("broken", broken == null ? "none" : broken);
            System.out.println(Json.write(out));
        } else {
            System.out.printf("%-10s %-20s %-7s %6s %5s %8s %9s %5s %10s%n", "workload", "policy", "failure", "ops", "runs", "states", "opened", "lost",
                    "violations");
            for (CrashTest.Result r : results) {
                System.out.printf("%-10s %-20s %-7s %6d %5d %8d %9d %5d %10d%n", r.workload(), r.policy(), r.failure(), r.operations(), r.runs(),
                        r.statesGenerated(), r.distinctChecked(), r.maxAcknowledgedWritesLost(), r.violations().size());
                r.violations().stream().limit(5).forEach(v -> System.out.println("  VIOLATION " + v));
            }
            System.out.printf("%d crash states, %d violations%s%n", states, violations, broken == null ? "" : " (with --broken " + broken + ")");
        }
        return violations == 0 ? 0 : Main.MISSING;
    }

    private List<String[]> matrix() {
        if (workload == null && policy == null && failure == null) return DEFAULT_MATRIX;
        List<String> workloads = workload == null || workload.equals("all") ? CrashTest.WORKLOADS : List.of(workload);
        for (String w : workloads) {
            if (!CrashTest.WORKLOADS.contains(w)) throw new CommandLine.ParameterException(spec.commandLine(), "unknown --workload '" + w + "': " + String.join(", ", CrashTest.WORKLOADS) + " or all");
        }
        List<String> policies = policy == null ? List.of("always") : policy.equals("all") ? CrashTest.POLICIES : List.of(policy);
        for (String p : policies) {
            try {
                dev.cask.core.SyncPolicy.parse(p);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--policy: " + e.getMessage());
            }
        }
        List<String> failures = failure == null ? List.of("none") : failure.equals("all") ? CrashTest.FAILURES : List.of(failure);
        for (String f : failures) {
            if (!CrashTest.FAILURES.contains(f)) throw new CommandLine.ParameterException(spec.commandLine(), "--failure takes none, eio, enospc or all");
        }
        List<String[]> out = new ArrayList<>();
        for (String f : failures) for (String p : policies) for (String w : workloads) out.add(new String[] {w, p, f});
        return out;
    }
}

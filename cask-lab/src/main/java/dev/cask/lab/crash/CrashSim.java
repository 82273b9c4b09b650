package dev.cask.lab.crash;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Crashes the model file system at every point of an operation and classifies what recovery
 * makes of it. A crash after the first k writes keeps exactly those (as a kill would); with
 * reordering, the writes since the last barrier may have reached the disk as any subset (as a
 * drive cache may). Recovery itself is crashed after each of its writes and run again, which must
 * give the same result.
 */
public final class CrashSim {
    public static final List<String> OPERATIONS = List.of("touch", "append", "unlink");
    private static final int EXHAUSTIVE_LIMIT = 10;
    private static final int SAMPLES = 512;

    /**
     * One crash state and its outcome.
     *
     * @param crashPoint writes issued before the crash
     * @param persisted which writes reached the disk
     * @param recoveryCrash -1, or the number of recovery writes done before recovery itself crashed
     */
    public record Row(String op, String mode, boolean reorder, int crashPoint, String persisted, int recoveryCrash, String outcome) {}

    private CrashSim() {}

    public static List<Row> run(List<String> ops, List<Mode> modes, boolean reorder, long seed) {
        Random random = new Random(seed);
        List<Row> rows = new ArrayList<>();
        for (String op : ops) for (Mode mode : modes) rows.addAll(runOne(op, mode, reorder, random));
        return rows;
    }

    private static List<Row> runOne(String op, Mode mode, boolean reorder, Random random) {
        List<Block> initial = ModelFs.initialDisk();
        List<Step> steps = ModelFs.steps(initial, op, mode);
        List<Step.Write> writes = new ArrayList<>();
        List<Integer> epochStart = new ArrayList<>(); // for write i: index of the first write after the last barrier before it
        int start = 0;
        for (Step step : steps) {
            if (step instanceof Step.Barrier) start = writes.size();
            else {
                writes.add((Step.Write) step);
                epochStart.add(start);
            }
        }
        Map<String, String> oldFiles = ModelFs.files(initial);
        Map<String, String> newFiles = ModelFs.files(recover(ModelFs.apply(initial, writes), mode));
        Classifier classifier = new Classifier(mode, oldFiles, newFiles);
        List<Row> rows = new ArrayList<>();
        for (int k = 0; k <= writes.size(); k++) {
            List<Step.Write> issued = writes.subList(0, k);
            List<Block> state = ModelFs.apply(initial, issued);
            rows.add(new Row(op, mode.id, false, k, labels(issued), -1, classifier.classify(state).text));
            List<Step.Write> recovery = ModelFs.recoveryWrites(state, mode);
            for (int j = 1; j < recovery.size(); j++) { // recovery crashes after j of its writes; then it runs again
                rows.add(new Row(op, mode.id, false, k, labels(issued), j, classifier.classify(ModelFs.apply(state, recovery.subList(0, j))).text));
            }
            if (reorder && k > 0) {
                int durable = epochStart.get(k - 1);
                List<Step.Write> pending = writes.subList(durable, k);
                for (List<Step.Write> subset : subsets(pending, random)) {
                    if (subset.size() == pending.size()) continue; // all of them: the prefix row above
                    List<Step.Write> persisted = new ArrayList<>(writes.subList(0, durable));
                    persisted.addAll(subset);
                    String label = (durable > 0 ? labels(writes.subList(0, durable)) + " | " : "") + "of {" + labels(pending) + "} only {" + labels(subset) + "}";
                    rows.add(new Row(op, mode.id, true, k, label, -1, classifier.classify(ModelFs.apply(initial, persisted)).text));
                }
            }
        }
        return rows;
    }

    /** Every subset of the pending writes (in issue order) when few, else a seeded sample. */
    private static List<List<Step.Write>> subsets(List<Step.Write> pending, Random random) {
        List<List<Step.Write>> out = new ArrayList<>();
        int n = pending.size();
        if (n <= EXHAUSTIVE_LIMIT) {
            for (int mask = 0; mask < 1 << n; mask++) out.add(pick(pending, mask));
        } else {
            for (int i = 0; i < SAMPLES; i++) out.add(pick(pending, random.nextLong()));
        }
        return out;
    }

    private static List<Step.Write> pick(List<Step.Write> pending, long mask) {
        List<Step.Write> subset = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) if ((mask >>> i & 1) != 0) subset.add(pending.get(i));
        return subset;
    }

    private static String labels(List<Step.Write> writes) {
        return writes.isEmpty() ? "nothing" : writes.stream().map(Step.Write::label).collect(Collectors.joining(" "));
    }

    /** Runs a mode's recovery to the end. */
    static List<Block> recover(List<Block> disk, Mode mode) {
        return ModelFs.apply(disk, ModelFs.recoveryWrites(disk, mode));
    }

    /** Recovers a crash state and says what it became. */
    private record Classifier(Mode mode, Map<String, String> oldFiles, Map<String, String> newFiles) {
        Outcome classify(List<Block> crashed) {
            boolean repaired = mode == Mode.NAIVE && !ModelFs.recoveryWrites(crashed, mode).isEmpty();
            List<Block> recovered = recover(crashed, mode);
            if (!ModelFs.problems(recovered).isEmpty()) return Outcome.INCONSISTENT;
            Map<String, String> files;
            try {
                files = ModelFs.files(recovered);
            } catch (RuntimeException e) {
                return Outcome.INCONSISTENT;
            }
            if (files.values().stream().anyMatch(v -> v.contains(ModelFs.GARBAGE_TEXT))) return Outcome.GARBAGE;
            if (repaired) return Outcome.REPAIRED;
            if (files.equals(oldFiles)) return Outcome.OLD;
            if (files.equals(newFiles)) return Outcome.NEW;
            return Outcome.DATA_LOST;
        }
    }

    /** Outcome counts per mode (and, for prefix crashes vs reordered ones, together). */
    public static Map<String, Map<Outcome, Integer>> summary(List<Row> rows) {
        Map<String, Map<Outcome, Integer>> out = new LinkedHashMap<>();
        for (Row r : rows) {
            Outcome o = java.util.Arrays.stream(Outcome.values()).filter(x -> x.text.equals(r.outcome())).findFirst().orElseThrow();
            out.computeIfAbsent(r.mode(), m -> new EnumMap<>(Outcome.class)).merge(o, 1, Integer::sum);
        }
        return out;
    }
}

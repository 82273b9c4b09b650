package dev.cask.lab.crash;

import dev.cask.core.Cask;
import dev.cask.core.CaskOptions;
import dev.cask.core.CheckReport;
import dev.cask.core.Progress;
import dev.cask.core.SyncPolicy;
import dev.cask.core.Verifier;
import dev.cask.core.WriteBatch;
import dev.cask.lab.crash.RecordingLayer.Op;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * {@code cask crashtest}: runs a workload on the real engine (sync {@code always}, so every
 * acknowledged write must be durable) through a {@link RecordingLayer}, then rebuilds the files
 * at every crash point in several ways ({@link CrashStates}), plus the last write torn at every
 * byte, zeroed and garbage tails, and crashes during recovery, and opens each with the real
 * engine. A violation: an acknowledged write missing or wrong, a value never written, half a
 * batch, or {@code cask check} failing after recovery.
 */
public final class CrashTest {
    public static final List<String> WORKLOADS = List.of("puts", "deletes", "batches", "rotation", "merge", "backup");

    /** What one workload's enumeration found. */
    public record Result(String workload, int operations, long statesGenerated, long distinctChecked, List<String> violations) {}

    private final long seed;
    private final boolean brokenDirSync;
    private final boolean brokenForce;
    private final Progress progress;
    private final CaskOptions options = CaskOptions.defaults().withSyncPolicy(SyncPolicy.always()).withMaxFileSize(256).withAutoMerge(false, 0.5, 0);

    public CrashTest(long seed, boolean brokenDirSync, boolean brokenForce, Progress progress) {
        this.seed = seed;
        this.brokenDirSync = brokenDirSync;
        this.brokenForce = brokenForce;
        this.progress = progress;
    }

    public Result run(String workload, Path scratch) throws IOException {
        Path root = Files.createTempDirectory(scratch, "crashtest-" + workload + "-");
        try {
            RecordingLayer layer = new RecordingLayer(root);
            record(workload, root, layer);
            return enumerate(workload, layer.ops(), scratch);
        } finally {
            deleteTree(root);
        }
    }

    // ---- workloads ----

    private void record(String workload, Path root, RecordingLayer layer) {
        Map<String, String> model = new LinkedHashMap<>();
        CaskOptions recording = options.withFileLayer(layer).withMaxFileSize(workload.equals("puts") || workload.equals("batches") ? 100_000 : 256);
        try (Cask cask = Cask.open(root.resolve("db"), recording)) {
            cask.awaitBackgroundWork();
            Random random = new Random(seed);
            int steps = 24;
            for (int i = 0; i < steps; i++) {
                String key = "key" + random.nextInt(8);
                String value = "v" + i + "-" + "x".repeat(random.nextInt(40));
                boolean delete = !workload.equals("puts") && random.nextInt(4) == 0 && model.containsKey(key);
                if (workload.equals("batches") && i % 2 == 0) {
                    String other = "key" + random.nextInt(8);
                    WriteBatch batch = new WriteBatch().put(bytes(key), bytes(value));
                    if (model.containsKey(other) && !other.equals(key)) {
                        batch.delete(bytes(other));
                        model.remove(other);
                    } else {
                        batch.put(bytes(other + "-twin"), bytes(value));
                        model.put(other + "-twin", value);
                    }
                    cask.write(batch);
                    model.put(key, value);
                } else if (delete) {
                    cask.delete(bytes(key));
                    model.remove(key);
                } else {
                    cask.put(bytes(key), bytes(value));
                    model.put(key, value);
                }
                layer.ack(model, "step " + i);
                if (workload.equals("merge") && i % 8 == 7) {
                    cask.awaitBackgroundWork();
                    cask.merge();
                    layer.ack(model, "merge after step " + i);
                }
                if (workload.equals("backup") && i == steps / 2) {
                    cask.awaitBackgroundWork();
                    cask.backup(root.resolve("backup"));
                    layer.ack(model, "backup");
                }
                if (workload.equals("rotation")) cask.awaitBackgroundWork(); // hint files written between steps, so each is recorded whole
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- enumeration ----

    private Result enumerate(String workload, List<Op> ops, Path scratch) throws IOException {
        CrashStates states = new CrashStates(ops, brokenDirSync, brokenForce);
        Random random = new Random(seed);
        Set<List<Object>> seen = new HashSet<>(); // the same files are checked again when the oracle differs
        List<String> violations = new ArrayList<>();
        long generated = 0;
        long checked = 0;
        Map<String, String> backupSnapshot = backupSnapshot(ops);
        int backupDoneAt = backupDoneAt(ops);
        Path dir = scratch.resolve("crashtest-state-" + workload + "-" + System.nanoTime());
        try {
            for (int k = 0; k <= ops.size(); k++) {
                List<Map<String, byte[]>> variants = new ArrayList<>();
                Map<String, byte[]> kill = states.state(k, CrashStates.Kind.KILL, random);
                variants.add(kill);
                variants.add(states.state(k, CrashStates.Kind.POWER_CUT, random));
                variants.add(states.state(k, CrashStates.Kind.POWER_CUT_NAMES_KEPT, random));
                for (int s = 0; s < 2; s++) variants.add(states.state(k, CrashStates.Kind.POWER_CUT_PARTIAL, random));
                if (k > 0 && ops.get(k - 1) instanceof Op.Write w) variants.addAll(torn(states, k, w, random));
                variants.add(withTail(kill, new byte[64]));
                byte[] garbage = new byte[77];
                random.nextBytes(garbage);
                variants.add(withTail(kill, garbage));
                for (Map<String, byte[]> files : variants) {
                    generated++;
                    if (!seen.add(List.of(fingerprint(files), states.allowed(k), k >= backupDoneAt))) continue;
                    checked++;
                    String violation = check(files, dir, states.allowed(k), k >= backupDoneAt ? backupSnapshot : null, -1);
                    if (violation != null) violations.add("after op " + k + " (" + describe(ops, k) + "): " + violation);
                }
                if (k % 4 == 0) { // a crash during recovery of the kill state, at each of its first few operations
                    for (int j = 1; j <= 3; j++) {
                        generated++;
                        checked++;
                        String violation = check(kill, dir, states.allowed(k), k >= backupDoneAt ? backupSnapshot : null, j);
                        if (violation != null) violations.add("after op " + k + ", recovery crashed at its op " + j + ": " + violation);
                    }
                }
                progress.update(k + 1, ops.size() + 1);
            }
        } finally {
            deleteTree(dir);
        }
        return new Result(workload, ops.size(), generated, checked, violations);
    }

    private static final int TORN_CUTS = 128;

    /** The kill state with the last write torn at every byte (at 128 evenly spaced bytes of a longer write). */
    private static List<Map<String, byte[]>> torn(CrashStates states, int k, Op.Write last, Random random) {
        List<Map<String, byte[]>> out = new ArrayList<>();
        Map<String, byte[]> before = states.state(k - 1, CrashStates.Kind.KILL, random);
        int length = last.bytes().length;
        int step = Math.max(1, length / TORN_CUTS);
        for (int cut = 1; cut < length; cut += step) {
            Map<String, byte[]> files = new HashMap<>(before);
            byte[] content = files.get(last.path());
            if (content == null) continue;
            byte[] grown = Arrays.copyOf(content, (int) Math.max(content.length, last.position() + cut));
            System.arraycopy(last.bytes(), 0, grown, (int) last.position(), cut);
            files.put(last.path(), grown);
            out.add(files);
        }
        return out;
    }

    /** The kill state with bytes appended to the newest data segment. */
    private static Map<String, byte[]> withTail(Map<String, byte[]> files, byte[] tail) {
        String newest = files.keySet().stream().filter(p -> p.startsWith("db/") && p.endsWith(".data")).max(String::compareTo).orElse(null);
        if (newest == null) return files;
        Map<String, byte[]> out = new HashMap<>(files);
        byte[] content = files.get(newest);
        byte[] grown = Arrays.copyOf(content, content.length + tail.length);
        System.arraycopy(tail, 0, grown, content.length, tail.length);
        out.put(newest, grown);
        return out;
    }

    /**
     * A crash state's identity for deduplication: SHA-256 over every file's name, length and bytes,
     * in name order. A 32-bit hash skipped distinct states by chance (contents {0, 31} and {1, 0}
     * hash alike), and a skipped state is a state never checked.
     */
    static String fingerprint(Map<String, byte[]> files) {
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        for (Map.Entry<String, byte[]> e : new java.util.TreeMap<>(files).entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            sha.update(java.nio.ByteBuffer.allocate(8).putInt(name.length).putInt(e.getValue().length).array());
            sha.update(name);
            sha.update(e.getValue());
        }
        return java.util.HexFormat.of().formatHex(sha.digest());
    }

    private static String describe(List<Op> ops, int k) {
        if (k == 0) return "before anything";
        String s = ops.get(k - 1).toString();
        return s.length() > 120 ? s.substring(0, 120) + "…" : s;
    }

    private static Map<String, String> backupSnapshot(List<Op> ops) {
        Map<String, String> last = Map.of();
        for (Op op : ops) {
            if (op instanceof Op.Ack a) {
                if (a.what().equals("backup")) return last;
                last = a.state();
            }
        }
        return null;
    }

    private static int backupDoneAt(List<Op> ops) {
        for (int i = 0; i < ops.size(); i++) if (ops.get(i) instanceof Op.Ack a && a.what().equals("backup")) return i + 1;
        return Integer.MAX_VALUE;
    }

    /** Materialises the files, opens them with the engine (first crashing its recovery if asked), and applies the oracle. */
    private String check(Map<String, byte[]> files, Path dir, List<Map<String, String>> allowed, Map<String, String> backup, int crashRecoveryAt)
            throws IOException {
        deleteTree(dir);
        Files.createDirectories(dir.resolve("db"));
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Path p = dir.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, e.getValue());
        }
        try {
            if (crashRecoveryAt > 0) crashRecovery(dir.resolve("db"), crashRecoveryAt);
            Map<String, String> actual = read(dir.resolve("db"));
            if (!allowed.contains(actual)) return "opened to " + actual + ", allowed only " + allowed;
            CheckReport report = Verifier.check(dir.resolve("db"), options, false);
            if (!report.problems().isEmpty()) return "cask check failed after recovery: " + report.problems();
            if (backup != null) {
                Map<String, String> copy = read(dir.resolve("backup"));
                if (!copy.equals(backup)) return "backup opened to " + copy + ", it should hold " + backup;
            }
            return null;
        } catch (RuntimeException e) {
            return "open failed: " + e;
        }
    }

    private Map<String, String> read(Path db) {
        Map<String, String> out = new HashMap<>();
        try (Cask cask = Cask.open(db, options)) {
            for (byte[] key : cask.keys()) out.put(new String(key, StandardCharsets.UTF_8), new String(cask.get(key), StandardCharsets.UTF_8));
            cask.awaitBackgroundWork();
        }
        return out;
    }

    private void crashRecovery(Path db, int at) {
        CrashingLayer crashing = new CrashingLayer(at);
        try (Cask cask = Cask.open(db, options.withFileLayer(crashing))) {
            cask.awaitBackgroundWork();
        } catch (RuntimeException expected) {
            // the crash, or a close that failed after it
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (var files = Files.walk(root)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}

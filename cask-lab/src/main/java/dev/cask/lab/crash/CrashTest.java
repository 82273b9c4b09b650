package dev.cask.lab.crash;

import dev.cask.core.Cask;
import dev.cask.core.CaskOptions;
import dev.cask.core.CheckReport;
import dev.cask.core.LabDefects;
import dev.cask.core.Progress;
import dev.cask.core.StorageException;
import dev.cask.core.SyncPolicy;
import dev.cask.core.Verifier;
import dev.cask.lab.crash.RecordingLayer.Op;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * {@code cask crashtest}: runs a workload on the real engine under a sync policy through a
 * {@link RecordingLayer} (optionally failing one system call with EIO or ENOSPC, each in turn),
 * then rebuilds the files at every crash point in several ways ({@link CrashStates}), plus the
 * last write torn at every byte, zeroed and garbage tails, and crashes during recovery, and opens
 * each with the real engine. A violation: a state the policy's loss bound does not allow
 * ({@link CrashOracle}), a value never written, half a batch, a write acknowledged after a failed
 * force, or {@code cask check} failing after recovery.
 */
public final class CrashTest {
    /** The file the engine's fail-stop layer creates once it has stopped writes after a failed force. */
    static final String FORCE_FAILED_MARKER = "cask.force-failed";
    public static final List<String> WORKLOADS = CrashWorkloads.ALL;
    public static final List<String> POLICIES = List.of("always", "always:fdatasync", "every:3", "every:3:fdatasync", "interval:5",
            "interval:5:fdatasync", "none", "osync", "odsync");
    public static final List<String> FAILURES = List.of("none", "eio", "enospc");
    /** What {@code --broken} can put back, each a defect the lab must then find. */
    public static final List<String> BROKEN = List.of("dirsync", "force", "recovery-force", "failstop", "mkdir", "fdatasync", "merge-failure",
            "close-force", "stale-hint");

    /** What one workload's enumeration under one policy and failure kind found. */
    public record Result(String workload, String policy, String failure, int operations, int runs, long statesGenerated, long distinctChecked,
            List<String> violations, int maxAcknowledgedWritesLost, double intervalBoundMillis) {}

    private static final java.util.regex.Pattern SEGMENT = java.util.regex.Pattern.compile("db/[0-9]{10}\\.data");

    /** Crash points checked after an injected failure: the failure's neighbourhood and the end. */
    private static final int AFTER_FAILURE = 8;

    private final long seed;
    private final String broken;
    private final Progress progress;

    public CrashTest(long seed, String broken, Progress progress) {
        if (broken != null && !BROKEN.contains(broken)) throw new IllegalArgumentException("--broken takes one of " + BROKEN);
        this.seed = seed;
        this.broken = broken;
        this.progress = progress;
    }

    public Result run(String workload, Path scratch) throws IOException {
        return run(workload, "always", "none", scratch);
    }

    public Result run(String workload, String policyText, String failure, Path scratch) throws IOException {
        LabDefects.Defect engineDefect = switch (broken == null ? "" : broken) {
            case "merge-failure" -> LabDefects.Defect.MERGING_GOES_ON_AFTER_A_LATE_FAILURE;
            case "close-force" -> LabDefects.Defect.CLOSE_FORCES_ASIDE;
            case "stale-hint" -> LabDefects.Defect.HINT_APPLIED_BEFORE_ITS_CHECK;
            default -> null;
        };
        if (engineDefect == null) return runAsIs(workload, policyText, failure, scratch);
        LabDefects.putBack(engineDefect); // in the engine's own code: recording and every check of a state run with it
        try {
            return runAsIs(workload, policyText, failure, scratch);
        } finally {
            LabDefects.clear();
        }
    }

    private Result runAsIs(String workload, String policyText, String failure, Path scratch) throws IOException {
        if (!WORKLOADS.contains(workload)) throw new IllegalArgumentException("unknown workload '" + workload + "': " + WORKLOADS);
        if (!FAILURES.contains(failure)) throw new IllegalArgumentException("unknown failure kind '" + failure + "': " + FAILURES);
        SyncPolicy policy = SyncPolicy.parse(policyText);
        CaskOptions options = CaskOptions.defaults().withSyncPolicy(policy).withMaxFileSize(256).withAutoMerge(false, 0.5, 0);
        if (failure.equals("none")) {
            Recording r = record(workload, options, scratch, 0, null);
            List<String> violations = new ArrayList<>(r.violations);
            Counts counts = enumerate(workload, policy, r, 0, r.ops.size(), true, scratch, violations, (d, t) -> progress.update(d, t));
            return new Result(workload, policy.toString(), failure, r.ops.size(), 1, counts.generated, counts.checked, violations, counts.maxLost,
                    new CrashOracle(r.ops, r.times, policy).intervalBoundMillis());
        }
        FaultLayer.Kind kind = failure.equals("eio") ? FaultLayer.Kind.EIO : FaultLayer.Kind.ENOSPC;
        int calls = record(workload, options, scratch, 0, kind).calls;
        List<String> violations = new ArrayList<>();
        long generated = 0;
        long checked = 0;
        int operations = 0;
        int maxLost = 0;
        for (int n = 1; n <= calls; n++) {
            Recording r = record(workload, options, scratch, n, kind);
            operations = Math.max(operations, r.ops.size());
            for (String v : r.violations) violations.add("with call " + n + " failing: " + v);
            if (r.failedAt < 0) continue;
            List<String> found = new ArrayList<>();
            Counts counts = enumerate(workload, policy, r, r.failedAt, Math.min(r.ops.size(), r.failedAt + AFTER_FAILURE), false, scratch, found, (d, t) -> {});
            Counts end = enumerate(workload, policy, r, r.ops.size(), r.ops.size(), false, scratch, found, (d, t) -> {});
            for (String v : found) violations.add("with " + r.failedWhat + " failing (" + failure + "): " + v);
            generated += counts.generated + end.generated;
            maxLost = Math.max(maxLost, Math.max(counts.maxLost, end.maxLost));
            checked += counts.checked + end.checked;
            progress.update(n, calls);
        }
        return new Result(workload, policy.toString(), failure, operations, calls, generated, checked, violations, maxLost, 0);
    }

    // ---- recording ----

    private static final class Recording {
        List<Op> ops;
        long[] times;
        int calls;
        int failedAt = -1;
        String failedWhat;
        final List<String> violations = new ArrayList<>();
        Map<String, String> repaired;
    }

    /** Where the engine had learned of the first failure that stops writes: its marker's creation, else the failure (-1: none). */
    static int engineObserved(List<Op> ops) {
        int failed = -1;
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            if (failed < 0) {
                if (op instanceof Op.Failed f && f.stops()) failed = i;
            } else if (op instanceof Op.Create c && (c.path().equals(FORCE_FAILED_MARKER) || c.path().endsWith("/" + FORCE_FAILED_MARKER))) {
                return i;
            }
        }
        return failed;
    }

    private Recording record(String workload, CaskOptions options, Path scratch, int failAt, FaultLayer.Kind kind) throws IOException {
        Path root = Files.createTempDirectory(scratch, "crashtest-" + workload + "-");
        Recording out = new Recording();
        try {
            FaultLayer faults = new FaultLayer(dev.cask.core.io.FileLayer.real(), failAt, kind == null ? FaultLayer.Kind.EIO : kind);
            RecordingLayer layer = new RecordingLayer(root, faults);
            switch (broken == null ? "" : broken) {
                case "recovery-force" -> layer.breakRecoveryForce();
                case "failstop" -> layer.swallowForceFailures();
                case "mkdir" -> layer.skipParentSyncOfNewDirectories();
                case "fdatasync" -> layer.forceWithoutMetadata();
                default -> { }
            }
            boolean lazy = !options.syncPolicy().durableOnAck();
            try {
                new CrashWorkloads(seed, lazy).record(workload, root, layer, options, faults::arm);
            } catch (RuntimeException e) {
                if (kind == null) throw e;
                // a failure the workload did not catch (a close that could not force): the recording up to it stands
            }
            out.ops = layer.ops();
            out.times = layer.times();
            out.calls = faults.calls();
            // A write acknowledged after a failed force is a violation if it began after the failure: the engine must stop taking
            // writes. (One whose force returned before the failure may be acknowledged a moment after it.) A sequential workload's
            // write began before its record was written; a concurrent writer's at its KeyBegin.
            // The engine learns of a failure when its fail-stop layer trips: it stops writes, then creates its marker file. A
            // concurrent writer that began between the injected failure and that moment (the failing thread descheduled, say a
            // background hint write's directory sync) was taken before the engine could know; its acknowledgement stands or
            // falls with its own force, which the fail-stop layer refuses from the trip on. So concurrent writers are held to
            // the marker's creation, or to the failure itself when no marker was created.
            int observedAt = engineObserved(out.ops);
            int stoppedAt = -1;
            int lastDataWrite = -1;
            int syncBegan = Integer.MAX_VALUE; // a sync() with no begin recorded (the filesystem's fsync) is held to every failure before it
            Map<String, Integer> began = new HashMap<>();
            for (int i = 0; i < out.ops.size(); i++) {
                Op op = out.ops.get(i);
                if (op instanceof Op.Failed f) {
                    if (out.failedAt < 0) {
                        out.failedAt = i;
                        out.failedWhat = f.what();
                    }
                    if (f.stops() && stoppedAt < 0) stoppedAt = i;
                } else if (op instanceof Op.Write w && SEGMENT.matcher(w.path()).matches()) {
                    lastDataWrite = i;
                } else if (op instanceof Op.KeyBegin b) {
                    began.put(b.key(), i);
                } else if (stoppedAt >= 0 && ((op instanceof Op.Ack a && a.write() && lastDataWrite > stoppedAt)
                        || (op instanceof Op.KeyAck k && began.get(k.key()) > observedAt))) {
                    out.violations.add("acknowledged after a failed force (" + out.ops.get(stoppedAt) + "): " + op);
                } else if (op instanceof Op.SyncBegin) {
                    syncBegan = i;
                } else if (op instanceof Op.Synced s) {
                    if (stoppedAt >= 0 && !s.what().startsWith("repair") && syncBegan > stoppedAt) {
                        out.violations.add("sync() returned after a failed force (" + out.ops.get(stoppedAt) + "): " + op);
                    }
                    syncBegan = Integer.MAX_VALUE;
                }
            }
            if (workload.equals("repair")) out.repaired = repairedState(root.resolve("db"), options);
            return out;
        } finally {
            deleteTree(root);
        }
    }

    // ---- enumeration ----

    private record Counts(long generated, long checked, int maxLost) {}

    private static final CrashStates.Kind[] POWER_CUTS = {
        CrashStates.Kind.POWER_CUT, CrashStates.Kind.POWER_CUT_NAMES_KEPT, CrashStates.Kind.POWER_CUT_PARTIAL, CrashStates.Kind.POWER_CUT_PARTIAL,
        CrashStates.Kind.POWER_CUT_SECTORS
    };

    /** {@code full}: also torn writes, zeroed and garbage tails and recovery crashes (runs with an injected failure skip them). */
    private Counts enumerate(String workload, SyncPolicy policy, Recording r, int fromK, int toK, boolean full, Path scratch, List<String> violations,
            Progress progress) throws IOException {
        List<Op> ops = r.ops;
        CrashStates states = new CrashStates(ops, "dirsync".equals(broken), "force".equals(broken));
        CrashOracle oracle = new CrashOracle(ops, r.times, policy);
        Random random = new Random(seed);
        Set<List<Object>> seen = new HashSet<>(); // the same files are checked again when the oracle differs
        long generated = 0;
        long checked = 0;
        int[] lost = {0};
        Map<String, String> backupSnapshot = backupSnapshot(ops);
        int backupDoneAt = backupDoneAt(ops);
        int repairFrom = workload.equals("repair") ? indexOfSynced(ops, "repair begins") + 1 : 0;
        Path dir = scratch.resolve("crashtest-state-" + workload + "-" + System.nanoTime());
        try {
            for (int k = Math.max(fromK, repairFrom); k <= toK; k++) {
                List<Map<String, byte[]>> kills = new ArrayList<>();
                List<Map<String, byte[]>> cuts = new ArrayList<>();
                Map<String, byte[]> kill = states.state(k, CrashStates.Kind.KILL, random);
                kills.add(kill);
                if (states.forceFailedBefore(k)) cuts.add(states.state(k, CrashStates.Kind.KILL_PAGES_DROPPED, random)); // lost pages: a power cut's bound
                for (CrashStates.Kind kind : POWER_CUTS) cuts.add(states.state(k, kind, random));
                if (full) {
                    if (k > 0 && ops.get(k - 1) instanceof Op.Write w) kills.addAll(torn(states, k, w, random));
                    kills.add(withTail(kill, new byte[64]));
                    byte[] garbage = new byte[77];
                    random.nextBytes(garbage);
                    kills.add(withTail(kill, garbage));
                }
                for (int p = 0; p < 2; p++) {
                    for (Map<String, byte[]> files : p == 0 ? kills : cuts) {
                        boolean powerCut = p == 1;
                        generated++;
                        Object allowed = workload.equals("concurrent") ? CrashOracle.allowedPerKey(ops, k) : oracle.allowed(k, powerCut);
                        if (!seen.add(List.of(CrashTest.fingerprint(files), allowed, k >= backupDoneAt))) continue;
                        checked++;
                        int at = k;
                        String violation = check(workload, files, dir, allowed, r, k >= backupDoneAt ? backupSnapshot : null, -1, policy,
                                actual -> lost[0] = Math.max(lost[0], oracle.acknowledgedWritesLost(at, actual)));
                        if (violation != null) violations.add("after op " + k + " (" + describe(ops, k) + ")" + (powerCut ? ", power cut" : "") + ": " + violation);
                    }
                }
                if (full && !workload.equals("repair")) { // a garbled sector that held durable bytes: recent writes may go, no wrong value may come
                    Map<String, byte[]> garbled = states.state(k, CrashStates.Kind.POWER_CUT_SECTOR_GARBLED, random);
                    generated++;
                    Object allowed = workload.equals("concurrent") ? CrashOracle.everHeldPerKey(ops, k) : oracle.everHeld(k);
                    if (seen.add(List.of(CrashTest.fingerprint(garbled), allowed, k >= backupDoneAt))) {
                        checked++;
                        String violation = check(workload, garbled, dir, allowed, r, k >= backupDoneAt ? backupSnapshot : null, -1, policy, actual -> {});
                        if (violation != null) violations.add("after op " + k + " (" + describe(ops, k) + "), power cut garbling a sector: " + violation);
                    }
                }
                if (full && k % 4 == 0 && !workload.equals("repair")) { // a crash during recovery of the kill state, at each of its first few operations
                    Object allowed = workload.equals("concurrent") ? CrashOracle.allowedPerKey(ops, k) : oracle.allowed(k, false);
                    for (int j = 1; j <= 3; j++) {
                        generated++;
                        checked++;
                        String violation = check(workload, kill, dir, allowed, r, k >= backupDoneAt ? backupSnapshot : null, j, policy, actual -> {});
                        if (violation != null) violations.add("after op " + k + ", recovery crashed at its op " + j + ": " + violation);
                    }
                    byte[] tail = new byte[77];
                    random.nextBytes(tail);
                    List<Map<String, byte[]>> cutDuringRecovery = powerCutsDuringRecovery(withTail(kill, tail), policy, scratch, random);
                    for (int j = 0; j < cutDuringRecovery.size(); j++) {
                        generated++;
                        if (!seen.add(List.of(CrashTest.fingerprint(cutDuringRecovery.get(j)), allowed, k >= backupDoneAt))) continue;
                        checked++;
                        String violation = check(workload, cutDuringRecovery.get(j), dir, allowed, r, k >= backupDoneAt ? backupSnapshot : null, -1,
                                policy, actual -> {});
                        if (violation != null) violations.add("after op " + k + ", a power cut during recovery (state " + j + "): " + violation);
                    }
                }
                progress.update(k + 1 - fromK, toK + 1 - fromK);
            }
        } finally {
            deleteTree(dir);
        }
        return new Counts(generated, checked, lost[0]);
    }

    /**
     * Power cuts while recovery runs: {@code start} is put on disk (every file forced, every name
     * synced), recovery is recorded opening it (cutting the garbage tail, keeping a copy in
     * lost+found, forcing), and the files are rebuilt after each of its operations as a power cut
     * and a sector-torn power cut would leave them. What was on disk before recovery began must
     * still open to the same data.
     */
    private List<Map<String, byte[]>> powerCutsDuringRecovery(Map<String, byte[]> start, SyncPolicy policy, Path scratch, Random random)
            throws IOException {
        Path root = Files.createTempDirectory(scratch, "crashtest-recovery-");
        try {
            RecordingLayer layer = new RecordingLayer(root);
            Set<String> dirs = new java.util.TreeSet<>();
            for (Map.Entry<String, byte[]> e : start.entrySet()) {
                Path p = root.resolve(e.getKey());
                Files.createDirectories(p.getParent());
                Files.write(p, e.getValue());
                layer.add(new Op.Create(e.getKey()));
                int written = layer.add(new Op.Write(e.getKey(), 0, e.getValue(), 0));
                layer.add(new Op.Force(e.getKey(), true, written + 1));
                dirs.add(root.relativize(p.getParent()).toString());
            }
            for (String d : dirs) layer.add(new Op.SyncDir(d));
            int seeded = layer.ops().size();
            CaskOptions options = CaskOptions.defaults().withSyncPolicy(policy).withMaxFileSize(256).withAutoMerge(false, 0.5, 0).withFileLayer(layer);
            try (Cask cask = Cask.open(root.resolve("db"), options)) {
                cask.awaitBackgroundWork();
            } catch (RuntimeException refused) {
                // recovery refused these files: the check of the kill state itself reports that
            }
            List<Op> ops = layer.ops();
            CrashStates states = new CrashStates(ops, "dirsync".equals(broken), "force".equals(broken));
            List<Map<String, byte[]>> out = new ArrayList<>();
            for (int k = seeded + 1; k <= ops.size(); k++) {
                out.add(states.state(k, CrashStates.Kind.POWER_CUT, random));
                out.add(states.state(k, CrashStates.Kind.POWER_CUT_SECTORS, random));
            }
            return out;
        } finally {
            deleteTree(root);
        }
    }

    private static int indexOfSynced(List<Op> ops, String what) {
        for (int i = 0; i < ops.size(); i++) if (ops.get(i) instanceof Op.Synced s && s.what().equals(what)) return i;
        return ops.size();
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

    // ---- checking one state ----

    /** Materialises the files, opens them with the engine (first crashing its recovery if asked), and applies the oracle. */
    @SuppressWarnings("unchecked")
    private String check(String workload, Map<String, byte[]> files, Path dir, Object allowed, Recording r, Map<String, String> backup,
            int crashRecoveryAt, SyncPolicy policy, java.util.function.Consumer<Map<String, String>> opened) throws IOException {
        CaskOptions options = CaskOptions.defaults().withSyncPolicy(policy).withMaxFileSize(256).withAutoMerge(false, 0.5, 0);
        deleteTree(dir);
        Files.createDirectories(dir.resolve("db"));
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Path p = dir.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, e.getValue());
        }
        Path db = dir.resolve("db");
        try {
            String marker = clearForceFailedMarker(db, options);
            if (marker != null) return marker;
            if (crashRecoveryAt > 0) crashRecovery(db, crashRecoveryAt, options);
            if (workload.equals("repair")) {
                Verifier.check(db, options, true); // what an operator does after a crash inside a repair: repair again
                Map<String, String> actual = read(db, options);
                if (!actual.equals(r.repaired)) return "after a second repair opened to " + actual + ", the first repair left " + r.repaired;
            } else if (workload.equals("concurrent")) {
                String wrong = perKey(read(db, options), (Map<String, Set<String>>) allowed);
                if (wrong != null) return wrong;
            } else {
                Map<String, String> actual = workload.equals("fs") ? FsWorkload.read(db, options) : read(db, options);
                opened.accept(actual);
                List<Map<String, String>> states = (List<Map<String, String>>) allowed;
                if (!states.contains(actual)) return "opened to " + actual + ", allowed only " + states;
            }
            CheckReport report = Verifier.check(db, options, false);
            if (!report.problems().isEmpty()) return "cask check failed after recovery: " + report.problems();
            if (backup != null) {
                Map<String, String> copy = read(dir.resolve("backup"), options);
                if (!copy.equals(backup)) return "backup opened to " + copy + ", it should hold " + backup;
            }
            return null;
        } catch (RuntimeException e) {
            return "open failed: " + e;
        }
    }

    /** A state holding the fail-stop marker must be refused by open; the operator then deletes the marker (after a reboot). */
    private static String clearForceFailedMarker(Path db, CaskOptions options) throws IOException {
        Path marker = db.resolve(FORCE_FAILED_MARKER);
        if (!Files.exists(marker)) return null;
        try (Cask unexpected = Cask.open(db, options)) {
            return "opened although the fail-stop marker " + marker.getFileName() + " was there";
        } catch (StorageException expected) {
            Files.delete(marker);
            return null;
        }
    }

    private static String perKey(Map<String, String> actual, Map<String, Set<String>> allowed) {
        for (Map.Entry<String, String> e : actual.entrySet()) {
            Set<String> values = allowed.get(e.getKey());
            if (values == null || !values.contains(e.getValue())) return "key " + e.getKey() + " opened to " + e.getValue() + ", allowed only " + values;
        }
        for (Map.Entry<String, Set<String>> e : allowed.entrySet()) {
            if (!actual.containsKey(e.getKey()) && !e.getValue().contains(null)) return "key " + e.getKey() + " is missing, allowed only " + e.getValue();
        }
        return null;
    }

    private static Map<String, String> read(Path db, CaskOptions options) {
        Map<String, String> out = new HashMap<>();
        try (Cask cask = Cask.open(db, options)) {
            for (byte[] key : cask.keys()) out.put(new String(key, StandardCharsets.UTF_8), new String(cask.get(key), StandardCharsets.UTF_8));
            cask.awaitBackgroundWork();
        }
        return out;
    }

    /** What the engine reads once a repair ran to the end (a second repair finishes one that an injected failure stopped). */
    private static Map<String, String> repairedState(Path db, CaskOptions options) {
        CaskOptions real = options.withFileLayer(dev.cask.core.io.FileLayer.real());
        try {
            Files.deleteIfExists(db.resolve(FORCE_FAILED_MARKER));
            Verifier.check(db, real, true);
            return read(db, real);
        } catch (IOException | RuntimeException e) {
            return Map.of("<unreadable>", e.toString());
        }
    }

    private static void crashRecovery(Path db, int at, CaskOptions options) {
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

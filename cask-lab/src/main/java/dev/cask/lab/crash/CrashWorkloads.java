package dev.cask.lab.crash;

import dev.cask.core.Cask;
import dev.cask.core.CaskOptions;
import dev.cask.core.Verifier;
import dev.cask.core.WriteBatch;
import dev.cask.core.io.DataFile;
import dev.cask.core.io.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The workloads the crash lab records, each on the real engine through a {@link RecordingLayer}.
 * A workload acknowledges into the recording what the engine acknowledged to it; a call the engine
 * refused (after an injected failure) is not acknowledged, and the workload goes on.
 */
final class CrashWorkloads {
    static final List<String> ALL = List.of("puts", "deletes", "batches", "rotation", "merge", "backup", "reopen", "concurrent", "close", "turns", "repair", "fs");
    static final int STEPS = 24;

    private final long seed;
    private final boolean syncEveryFewSteps;

    /** {@code syncEveryFewSteps}: call {@code sync()} every fifth step (for policies that are not durable on acknowledgement). */
    CrashWorkloads(long seed, boolean syncEveryFewSteps) {
        this.seed = seed;
        this.syncEveryFewSteps = syncEveryFewSteps;
    }

    /** Records {@code workload} under {@code options} in {@code root}/db. {@code armFaults} runs once the database is open. */
    void record(String workload, Path root, RecordingLayer layer, CaskOptions options, Runnable armFaults) {
        boolean longSegments = workload.equals("puts") || workload.equals("batches");
        // on the long segments, the grown tail is grown again every 256 bytes (the default grows 8 MiB ahead, past any segment here)
        CaskOptions recording = options.withFileLayer(layer).withMaxFileSize(longSegments ? 100_000 : 256).withPrepareAhead(longSegments ? 512 : options.prepareAhead());
        switch (workload) {
            case "reopen" -> reopen(root, layer, recording, armFaults);
            case "concurrent" -> concurrent(root, layer, recording.withAutoMerge(true, 0.3, 0), armFaults);
            case "repair" -> repair(root, layer, recording, armFaults);
            case "close" -> close(root, layer, recording, armFaults);
            case "turns" -> turns(root, layer, recording, armFaults);
            case "fs" -> FsWorkload.record(root, layer, recording, armFaults);
            default -> sequential(workload, root, layer, recording, armFaults);
        }
    }

    private void sequential(String workload, Path root, RecordingLayer layer, CaskOptions options, Runnable armFaults) {
        Map<String, String> model = new LinkedHashMap<>();
        try (Cask cask = Cask.open(root.resolve("db"), options)) {
            cask.awaitBackgroundWork();
            armFaults.run();
            steps(workload, cask, layer, model, new Random(seed), 0, STEPS, root);
        }
    }

    private void steps(String workload, Cask cask, RecordingLayer layer, Map<String, String> model, Random random, int from, int to, Path root) {
        for (int i = from; i < to; i++) {
            String key = "key" + random.nextInt(8);
            String value = "v" + i + "-" + "x".repeat(random.nextInt(40));
            boolean delete = !workload.equals("puts") && random.nextInt(4) == 0 && model.containsKey(key);
            if (workload.equals("merge") && (i == 0 || i == 8)) {
                key = "doomed"; // written first, deleted right after the first merge and never written again: the next merge drops
                delete = i == 8; // its tombstone, so a first merge's input left behind would bring it back
            }
            Map<String, String> next = new LinkedHashMap<>(model);
            try {
                if (workload.equals("batches") && i % 2 == 0) {
                    String other = "key" + random.nextInt(8);
                    WriteBatch batch = new WriteBatch().put(bytes(key), bytes(value));
                    if (next.containsKey(other) && !other.equals(key)) {
                        batch.delete(bytes(other));
                        next.remove(other);
                    } else {
                        batch.put(bytes(other + "-twin"), bytes(value));
                        next.put(other + "-twin", value);
                    }
                    next.put(key, value);
                    cask.write(batch);
                } else if (delete) {
                    next.remove(key);
                    cask.delete(bytes(key));
                } else {
                    next.put(key, value);
                    cask.put(bytes(key), bytes(value));
                }
                model.clear();
                model.putAll(next);
                layer.ack(model, "step " + i);
                if (syncEveryFewSteps && i % 5 == 4) {
                    layer.add(new RecordingLayer.Op.SyncBegin("sync after step " + i));
                    cask.sync();
                    layer.add(new RecordingLayer.Op.Synced("sync after step " + i));
                }
                if (workload.equals("merge") && i % 8 == 7) {
                    cask.awaitBackgroundWork();
                    cask.merge();
                    layer.ackNoWrite(model, "merge after step " + i);
                }
                if (workload.equals("backup") && i == STEPS / 2) {
                    cask.awaitBackgroundWork();
                    cask.backup(root.resolve("backup"));
                    layer.ackNoWrite(model, "backup");
                }
                if (workload.equals("rotation")) cask.awaitBackgroundWork(); // hint files written between steps, so each is recorded whole
            } catch (RuntimeException refused) {
                // refused after an injected failure: not acknowledged, the model stays where it was, and the write's fate is unknown
                layer.add(new RecordingLayer.Op.Attempt(Map.copyOf(next), "step " + i + " refused: " + refused.getMessage()));
            }
        }
    }

    /**
     * A session killed (nothing it does after the kill reaches the disk), then a second one that
     * opens the same files, syncs and writes on: after that sync returned, everything the first
     * session wrote must survive a power cut (defect 3 of the durability issue).
     */
    private void reopen(Path root, RecordingLayer layer, CaskOptions options, Runnable armFaults) {
        Map<String, String> model = new LinkedHashMap<>();
        Random random = new Random(seed);
        try (Cask first = Cask.open(root.resolve("db"), options)) {
            first.awaitBackgroundWork();
            steps("deletes", first, layer, model, random, 0, STEPS / 2, root);
            layer.die();
        }
        layer.revive();
        boolean broken = layer.brokenRecoveryForce();
        layer.dropForces(broken);
        try (Cask second = Cask.open(root.resolve("db"), options)) {
            layer.dropForces(false);
            armFaults.run();
            try {
                layer.add(new RecordingLayer.Op.SyncBegin("sync after reopen"));
                second.sync();
                layer.add(new RecordingLayer.Op.Synced("sync after reopen"));
            } catch (RuntimeException refused) {
                // after an injected failure
            }
            steps("deletes", second, layer, model, random, STEPS / 2, STEPS, root);
        }
    }

    /** Four threads write their own keys while rotation, background hints and automatic merges run. */
    private void concurrent(Path root, RecordingLayer layer, CaskOptions options, Runnable armFaults) {
        try (Cask cask = Cask.open(root.resolve("db"), options)) {
            cask.awaitBackgroundWork();
            armFaults.run();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    Random random = new Random(seed * 31 + thread);
                    for (int i = 0; i < 10; i++) {
                        String key = "t" + thread + "-key" + random.nextInt(3);
                        String value = random.nextInt(4) == 0 ? null : "v" + i + "-" + "y".repeat(random.nextInt(30));
                        layer.add(new RecordingLayer.Op.KeyBegin(key, value));
                        try {
                            if (value == null) cask.delete(bytes(key));
                            else cask.put(bytes(key), bytes(value));
                            layer.add(new RecordingLayer.Op.KeyAck(key, value));
                        } catch (RuntimeException refused) {
                            // after an injected failure: not acknowledged (and still in flight for the oracle)
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            cask.awaitBackgroundWork();
        }
    }

    /**
     * The server's write-combining: each turn of the event loop appends its writes with
     * {@code writeWithoutSync}, then one {@code sync()} covers the turn, and only then are its
     * replies released (the acknowledgement). Until then a crash may keep any prefix of the turn.
     */
    private void turns(Path root, RecordingLayer layer, CaskOptions options, Runnable armFaults) {
        Map<String, String> model = new LinkedHashMap<>();
        Random random = new Random(seed);
        try (Cask cask = Cask.open(root.resolve("db"), options)) {
            cask.awaitBackgroundWork();
            armFaults.run();
            for (int turn = 0; turn < STEPS / 3; turn++) {
                Map<String, String> next = new LinkedHashMap<>(model);
                for (int j = 0; j < 3; j++) {
                    String key = "key" + random.nextInt(8);
                    Map<String, String> after = new LinkedHashMap<>(next);
                    WriteBatch write = new WriteBatch();
                    if (random.nextInt(4) == 0 && next.containsKey(key)) {
                        write.delete(bytes(key));
                        after.remove(key);
                    } else {
                        String value = "t" + turn + "." + j + "-" + "x".repeat(random.nextInt(40));
                        write.put(bytes(key), bytes(value));
                        after.put(key, value);
                    }
                    try {
                        cask.writeWithoutSync(write);
                        next = after;
                        layer.add(new RecordingLayer.Op.Attempt(Map.copyOf(next), "turn " + turn + ", write " + j + ": appended, reply held"));
                    } catch (RuntimeException refused) {
                        // this command's reply is an error; the turn's other writes stand
                        layer.add(new RecordingLayer.Op.Attempt(Map.copyOf(after), "turn " + turn + ", write " + j + " refused: " + refused.getMessage()));
                    }
                }
                try {
                    layer.add(new RecordingLayer.Op.SyncBegin("end of turn " + turn));
                    cask.sync();
                    layer.add(new RecordingLayer.Op.Synced("end of turn " + turn));
                    layer.ack(next, "turn " + turn + ": replies released");
                } catch (RuntimeException refused) {
                    // the turn's sync failed: its replies are errors, and the engine refuses writes from now on
                    layer.add(new RecordingLayer.Op.Attempt(Map.copyOf(next), "turn " + turn + " sync refused: " + refused.getMessage()));
                }
                model = next; // what the engine now holds, acknowledged or not
            }
        }
    }

    /** Writes and deletes, then the close of defect 2 ({@link #closeUnderAWaitingWriter}). */
    private void close(Path root, RecordingLayer layer, CaskOptions options, Runnable armFaults) {
        Map<String, String> model = new LinkedHashMap<>();
        try (Cask cask = Cask.open(root.resolve("db"), options)) {
            cask.awaitBackgroundWork();
            armFaults.run();
            steps("deletes", cask, layer, model, new Random(seed), 0, STEPS / 2, root);
            closeUnderAWaitingWriter(cask, layer, model);
        }
    }

    /**
     * The close of defect 2: a writer has appended and is in its force when {@code close()} runs,
     * and close's own force fails. The writer's force is held at its start; close must not finish
     * before it (its force goes through group commit, after the writer's), and the writer must
     * hear of the failure. Code that forced aside at close and counted a force of the closed file
     * as done answered the writer "durable" after the failed force.
     */
    private static void closeUnderAWaitingWriter(Cask cask, RecordingLayer layer, Map<String, String> model) {
        RecordingLayer.ForceGate gate = layer.holdNextSegmentForce();
        Map<String, String> next = new LinkedHashMap<>(model);
        next.put("closing", "last");
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                cask.put(bytes("closing"), bytes("last"));
                layer.ack(next, "put during close");
            } catch (RuntimeException refused) {
                layer.add(new RecordingLayer.Op.Attempt(Map.copyOf(next), "put during close refused: " + refused.getMessage()));
            }
        });
        Thread closer = null;
        try {
            boolean arrived = false;
            while (!arrived && writer.isAlive()) arrived = gate.awaitArrival(1); // a refused put never reaches a force
            if (arrived || gate.awaitArrival(0)) {
                layer.failNextSegmentForce(); // the first force to reach the disk from here on: close's, or the writer's when close waits for it
                closer = Thread.ofPlatform().start(() -> {
                    try {
                        cask.close();
                    } catch (RuntimeException failed) {
                        // the final force failed: reported, and the writer must fail too
                    }
                });
                // release the writer once close has finished or waits for the writer's force
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (closer.isAlive() && !waitsForAForce(closer) && System.nanoTime() < deadline) Thread.sleep(1);
            }
            gate.release();
            if (closer != null) closer.join();
            writer.join();
        } catch (InterruptedException e) {
            gate.release();
            Thread.currentThread().interrupt();
        }
    }

    /** Whether {@code t} waits for a force another thread runs: in group commit, or for an overlapping force of the same file. */
    private static boolean waitsForAForce(Thread t) {
        if (t.getState() != Thread.State.WAITING) return false;
        for (StackTraceElement frame : t.getStackTrace()) {
            if (frame.getClassName().endsWith(".GroupCommit") || frame.getClassName().endsWith("$OverlappingForces")) return true;
        }
        return false;
    }

    /**
     * Writes over several segments, damages the record of a key written once in the middle of a
     * sealed segment that has a hint (forced: the damage is on disk), then runs {@code check
     * --repair}, which cuts that record and rewrites the segment. The repaired state is acknowledged as
     * what the engine then reads; every crash inside the repair must end, after a second repair, in
     * that state.
     */
    private void repair(Path root, RecordingLayer layer, CaskOptions options, Runnable armFaults) {
        Path db = root.resolve("db");
        Map<String, String> model = new LinkedHashMap<>();
        RecordingLayer.Op.Write once;
        try (Cask cask = Cask.open(db, options)) {
            cask.awaitBackgroundWork();
            Random random = new Random(seed);
            steps("rotation", cask, layer, model, random, 0, STEPS / 3, root);
            // a key written once: when repair cuts its record, no later version hides a stale hint entry that still points at it
            cask.put(bytes("once"), bytes("written once, then damaged"));
            model.put("once", "written once, then damaged");
            layer.ack(model, "put of once");
            once = lastSegmentWrite(layer);
            steps("rotation", cask, layer, model, random, STEPS / 3, STEPS, root);
        }
        try {
            try (DataFile file = layer.open(root.resolve(once.path()), OpenMode.WRITE)) {
                file.write(ByteBuffer.wrap(new byte[] {(byte) 0xde, (byte) 0xad}), once.position() + once.bytes().length - 4);
                file.force(true);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("damaging the segment for the repair workload", e);
        }
        layer.add(new RecordingLayer.Op.Synced("repair begins"));
        armFaults.run();
        try {
            Verifier.check(db, options, true);
        } catch (RuntimeException refused) {
            // after an injected failure
        }
        layer.add(new RecordingLayer.Op.Synced("repair ends"));
    }

    private static RecordingLayer.Op.Write lastSegmentWrite(RecordingLayer layer) {
        List<RecordingLayer.Op> ops = layer.ops();
        for (int i = ops.size() - 1; i >= 0; i--) {
            if (ops.get(i) instanceof RecordingLayer.Op.Write w && w.path().endsWith(".data")) return w;
        }
        throw new IllegalStateException("no data segment write recorded");
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

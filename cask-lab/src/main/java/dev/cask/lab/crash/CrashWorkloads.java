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
    static final List<String> ALL = List.of("puts", "deletes", "batches", "rotation", "merge", "backup", "reopen", "concurrent", "repair", "fs");
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
        CaskOptions recording = options.withFileLayer(layer)
                .withMaxFileSize(workload.equals("puts") || workload.equals("batches") ? 100_000 : 256);
        switch (workload) {
            case "reopen" -> reopen(root, layer, recording, armFaults);
            case "concurrent" -> concurrent(root, layer, recording.withAutoMerge(true, 0.3, 0), armFaults);
            case "repair" -> repair(root, layer, recording, armFaults);
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
     * Writes over several segments, damages a record in the middle of a sealed one (forced: the
     * damage is on disk), then runs {@code check --repair}. The repaired state is acknowledged as
     * what the engine then reads; every crash inside the repair must end, after a second repair, in
     * that state.
     */
    private void repair(Path root, RecordingLayer layer, CaskOptions options, Runnable armFaults) {
        Path db = root.resolve("db");
        Map<String, String> model = new LinkedHashMap<>();
        try (Cask cask = Cask.open(db, options)) {
            cask.awaitBackgroundWork();
            steps("rotation", cask, layer, model, new Random(seed), 0, STEPS, root);
        }
        try {
            Path first = db.resolve("0000000002.data");
            try (DataFile file = layer.open(first, OpenMode.WRITE)) {
                file.write(ByteBuffer.wrap(new byte[] {(byte) 0xde, (byte) 0xad}), 40);
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

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

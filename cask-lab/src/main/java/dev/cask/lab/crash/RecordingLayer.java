package dev.cask.lab.crash;

import dev.cask.core.io.DataFile;
import dev.cask.core.io.FileLayer;
import dev.cask.core.io.ForwardingDataFile;
import dev.cask.core.io.ForwardingFileLayer;
import dev.cask.core.io.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A file layer recording every operation that changes what is on disk, in order, with paths
 * relative to a root and the time each was recorded. Workloads add markers: {@link Op.Ack} when
 * the engine acknowledged a write, {@link Op.Synced} when {@code sync()} returned, and for
 * concurrent writers {@link Op.KeyBegin}/{@link Op.KeyAck} around each call. Crash states are
 * built from the recording afterwards.
 *
 * <p>A write or a force is recorded when it returned. A force covers only the writes recorded
 * before it began ({@link Op.Force#coversBefore}): a write that overlapped it is not credited.
 */
public final class RecordingLayer extends ForwardingFileLayer {
    /** One recorded operation. */
    public sealed interface Op {
        record Create(String path) implements Op {}
        /** {@code sync}: 0 a plain write, 1 an {@code O_DSYNC} write (its data durable on return), 2 {@code O_SYNC} (data and size). */
        record Write(String path, long position, byte[] bytes, int sync) implements Op {}
        /** A truncate or an extend: the file now has {@code size} bytes, zeros past what it had. */
        record Resize(String path, long size) implements Op {}
        /** A force that returned: it covers the ops before index {@code coversBefore}, their sizes too if {@code metadata}. */
        record Force(String path, boolean metadata, int coversBefore) implements Op {}
        /** A force that failed: the dirty pages it was to write may be gone (fsyncgate), and no later force brings them back. */
        record ForceFailed(String path) implements Op {}
        record Rename(String from, String to) implements Op {}
        record Link(String existing, String link) implements Op {}
        record Delete(String path) implements Op {}
        record SyncDir(String dir) implements Op {}
        record Mkdir(String dir) implements Op {}
        /** The workload's model after an acknowledged operation: every key and its value; {@code write} if it was a write. */
        record Ack(Map<String, String> state, String what, boolean write) implements Op {}
        /** The engine refused a write (after an injected failure): its state may still show after a crash, as one in flight. */
        record Attempt(Map<String, String> state, String what) implements Op {}
        /** {@code sync()} was called (a failure recorded before this must make it throw; one during it may not). */
        record SyncBegin(String what) implements Op {}
        /** {@code sync()} returned: every write acknowledged before it is durable. */
        record Synced(String what) implements Op {}
        /** A system call failed by injection (or for real): {@code stops} if it is one after which nothing may be acknowledged. */
        record Failed(String what, boolean stops) implements Op {}
        /** A concurrent writer is about to set {@code key} to {@code value} (null: delete). */
        record KeyBegin(String key, String value) implements Op {}
        /** The engine acknowledged that write. */
        record KeyAck(String key, String value) implements Op {}
    }

    private final Path root;
    private final List<Op> ops = new ArrayList<>();
    private final List<Long> times = new ArrayList<>();
    private volatile boolean dropForces;
    private volatile boolean dead;
    private volatile boolean syncParentsOfNewDirectories = true;
    private volatile boolean brokenRecoveryForce;
    private volatile boolean swallowForceFailures;
    private volatile boolean forcesWithoutMetadata;
    private final java.util.Set<Path> unsyncedParents = new java.util.HashSet<>();
    private volatile ForceGate gate;

    /** Holds one force at its start until released, so that a workload can run something while a writer waits on it. */
    public static final class ForceGate {
        private final java.util.concurrent.CountDownLatch arrived = new java.util.concurrent.CountDownLatch(1);
        private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);

        /** A closed gate: the next force waits at it. */
        public ForceGate() {
            // opened by release
        }

        /** Whether a force reached the gate within {@code millis}. */
        public boolean awaitArrival(long millis) throws InterruptedException {
            return arrived.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        public void release() {
            released.countDown();
        }

        private void pass() {
            arrived.countDown();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private volatile boolean failNextSegmentForce;

    /** The next force of a data segment fails with EIO, and nothing of it happens. */
    public void failNextSegmentForce() {
        failNextSegmentForce = true;
    }

    /** The next force of a data segment waits at the returned gate before it begins. */
    public ForceGate holdNextSegmentForce() {
        ForceGate g = new ForceGate();
        gate = g;
        return g;
    }

    public RecordingLayer(Path root) {
        this(root, FileLayer.real());
    }

    public RecordingLayer(Path root, FileLayer below) {
        super(below);
        this.root = root.toAbsolutePath().normalize();
    }

    public List<Op> ops() {
        synchronized (ops) {
            return List.copyOf(ops);
        }
    }

    /** When each op was recorded (System.nanoTime), by index. */
    public long[] times() {
        synchronized (ops) {
            return times.stream().mapToLong(Long::longValue).toArray();
        }
    }

    /** Adds an op; returns its index. */
    public int add(Op op) {
        synchronized (ops) {
            ops.add(op);
            times.add(System.nanoTime());
            return ops.size() - 1;
        }
    }

    private int recorded() {
        synchronized (ops) {
            return ops.size();
        }
    }

    public void ack(Map<String, String> state, String what) {
        add(new Op.Ack(Map.copyOf(state), what, true));
    }

    public void ackNoWrite(Map<String, String> state, String what) {
        add(new Op.Ack(Map.copyOf(state), what, false));
    }

    /** Ends a {@link #die}: the next session's operations are recorded again. */
    public void revive() {
        dead = false;
    }

    /** Puts back defect 3 for the reopen workload: {@code --broken recovery-force}. */
    public void breakRecoveryForce() {
        brokenRecoveryForce = true;
    }

    boolean brokenRecoveryForce() {
        return brokenRecoveryForce;
    }

    /** Puts back defect 4: a failed force is recorded, then reported to the engine as a success ({@code --broken failstop}). */
    public void swallowForceFailures() {
        swallowForceFailures = true;
    }

    /** Every force is an fdatasync ({@code --broken fdatasync}): no force makes a new file length durable. */
    public void forceWithoutMetadata() {
        forcesWithoutMetadata = true;
    }

    /** A "kill": from now on nothing reaches the disk or the recording (so a close cannot tidy up what a kill leaves). */
    public void die() {
        dead = true;
    }

    /** Puts back defect 3 of the durability issue: forces are swallowed while set (around an open, for {@code --broken recovery-force}). */
    public void dropForces(boolean drop) {
        dropForces = drop;
    }

    /** Puts back defect 6: new directories are made without syncing their parents ({@code --broken mkdir}). */
    public void skipParentSyncOfNewDirectories() {
        syncParentsOfNewDirectories = false;
    }

    private String rel(Path p) {
        return root.relativize(p.toAbsolutePath().normalize()).toString();
    }

    @Override
    public DataFile open(Path path, OpenMode mode) throws IOException {
        boolean created = mode.writable() && !Files.exists(path);
        DataFile opened = super.open(path, mode);
        if (created && !dead) add(new Op.Create(rel(path)));
        String name = rel(path);
        int sync = mode == OpenMode.WRITE_SYNC ? 2 : mode == OpenMode.WRITE_DSYNC ? 1 : 0;
        return new ForwardingDataFile(opened) {
            @Override
            public void write(ByteBuffer src, long position) throws IOException {
                if (dead) {
                    src.position(src.limit());
                    return;
                }
                byte[] bytes = new byte[src.remaining()];
                src.duplicate().get(bytes);
                try {
                    super.write(src, position);
                } catch (IOException e) {
                    add(new Op.Failed("write " + name + ": " + e.getMessage(), false));
                    throw e;
                }
                add(new Op.Write(name, position, bytes, sync));
            }

            @Override
            public void force(boolean metadata) throws IOException {
                if (dead || dropForces) return;
                ForceGate g = gate;
                if (g != null && name.endsWith(".data")) {
                    gate = null;
                    g.pass(); // before the force begins: what is recorded meanwhile is not covered by it
                }
                int coversBefore = recorded();
                boolean full = metadata && !forcesWithoutMetadata;
                try {
                    if (failNextSegmentForce && name.endsWith(".data")) {
                        failNextSegmentForce = false;
                        throw new IOException("Input/output error (injected at a force while closing)");
                    }
                    super.force(full);
                } catch (java.nio.channels.ClosedChannelException closedByItsOwner) {
                    throw closedByItsOwner; // a rotation sealed the file under a concurrent force: no fsync ran, none failed
                } catch (IOException e) {
                    add(new Op.Failed("force " + name + ": " + e.getMessage(), true));
                    add(new Op.ForceFailed(name));
                    if (swallowForceFailures) return;
                    throw e;
                }
                add(new Op.Force(name, full, coversBefore));
            }

            @Override
            public void truncate(long size) throws IOException {
                if (dead) return;
                super.truncate(size);
                add(new Op.Resize(name, size));
            }

            @Override
            public void extend(long size) throws IOException {
                if (dead) return;
                super.extend(size);
                add(new Op.Resize(name, size));
            }
        };
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
        if (dead) return;
        try {
            super.rename(source, target);
        } catch (IOException e) {
            add(new Op.Failed("rename " + rel(source) + ": " + e.getMessage(), false));
            throw e;
        }
        add(new Op.Rename(rel(source), rel(target)));
    }

    @Override
    public void link(Path existing, Path link) throws IOException {
        if (dead) return;
        super.link(existing, link);
        add(new Op.Link(rel(existing), rel(link)));
    }

    @Override
    public void delete(Path path) throws IOException {
        if (dead) return;
        boolean existed = Files.exists(path);
        try {
            super.delete(path);
        } catch (IOException e) {
            add(new Op.Failed("unlink " + rel(path) + ": " + e.getMessage(), false));
            throw e;
        }
        if (existed) add(new Op.Delete(rel(path)));
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        if (dead || dropForces) return;
        synchronized (unsyncedParents) {
            if (unsyncedParents.remove(dir.toAbsolutePath().normalize())) return; // --broken mkdir: the sync after a mkdir never happens
        }
        try {
            super.syncDirectory(dir);
        } catch (IOException e) {
            add(new Op.Failed("syncdir " + rel(dir) + ": " + e.getMessage(), true));
            throw e;
        }
        add(new Op.SyncDir(rel(dir)));
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir.toAbsolutePath().normalize(); p != null && p.startsWith(root) && !p.equals(root) && !Files.isDirectory(p); p = p.getParent()) {
            missing.addFirst(p);
        }
        super.createDirectories(dir);
        for (Path p : missing) {
            add(new Op.Mkdir(rel(p)));
            if (!syncParentsOfNewDirectories) {
                synchronized (unsyncedParents) {
                    unsyncedParents.add(p.getParent());
                }
            }
        }
    }
}

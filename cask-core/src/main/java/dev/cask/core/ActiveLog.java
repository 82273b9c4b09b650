package dev.cask.core;

import dev.cask.core.io.DataFile;
import dev.cask.core.io.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The active end of the log: it appends encoded records to the active segment under the write
 * lock, rotates segments at the size limit, keeps the tail grown and warm ahead of the writer,
 * makes writes durable as the sync policy says (group commit), and holds the failure state: after
 * a failed force or synchronous write nothing more is written until the database is reopened.
 * {@link Cask} encodes the records and applies them to the index; this class knows where they go
 * and when they are durable.
 */
final class ActiveLog {
    private static final int MIN_WRITE_BUFFER = 64 << 10;
    /** Up to this, a grown write buffer is kept: a stream of 1 MiB batches (a file copy through cask mount) must not reallocate it. */
    private static final int KEPT_WRITE_BUFFER = 4 << 20;
    /** Appended bytes after which the background syncer is asked for a force, whatever the policy (see {@link BackgroundSyncer}). */
    private static final long BACKGROUND_SYNC_BYTES = 8 << 20;
    /** How long a writer spins for the write lock before it parks (see {@link #lock}). */
    private static final long WRITE_LOCK_SPIN_NANOS = 20_000;
    private static final long SPACE_CHECK_BYTES = 1 << 20;

    private final Path dir;
    private final CaskOptions options;
    private final FailStopLayer files;
    private final Index index;
    private final OpenMode activeMode;
    private final IntConsumer onSealed;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final GroupCommit commits;
    /** Combines durable single writes under a policy that forces for each ({@code always}); null under the others. */
    private final CombiningJournal journal;
    private final BackgroundSyncer syncer;
    /** Null when {@code warmTail} is off: then the writer's own appends allocate the pages. */
    private final TailWarmer warmer;
    private volatile Segment active;
    private volatile Throwable writeFailure;
    private volatile boolean closed;
    private ByteBuffer writeBuffer = directBuffer(MIN_WRITE_BUFFER);
    private int writesSinceForce;
    private long bytesSinceSyncRequest;
    /** Bytes appended since the free space was last asked (a statfs costs about a µs: not per put). */
    private long bytesSinceSpaceCheck = Long.MAX_VALUE / 2;
    private boolean shortOfSpace;

    /** {@code onSealed}: told the id of each segment a rotation sealed (for its hint and a merge check). */
    ActiveLog(Path dir, CaskOptions options, FailStopLayer files, Index index, OpenMode activeMode, IntConsumer onSealed) {
        this.dir = dir;
        this.options = options;
        this.files = files;
        this.index = index;
        this.activeMode = activeMode;
        this.onSealed = onSealed;
        this.active = index.newest();
        this.commits = new GroupCommit(active.endLsn());
        this.journal = options.syncPolicy() instanceof SyncPolicy.Always ? new CombiningJournal(this) : null;
        files.onFailure(e -> stop(e, "a force")); // every failed force, wherever it ran, stops writes and fails the waiters
        this.syncer = BackgroundSyncer.start(options.syncPolicy().intervalMillis(), this::syncInBackground, dir);
        this.warmer = options.warmTail() && options.prepareAhead() > 0 ? new TailWarmer("cask-warmer " + dir.getFileName()) : null;
    }

    /**
     * Forces what recovery kept of the active segment: after a kill under a lazy policy its tail may
     * still be page cache only, and recovery's cut of the grown zeros is a size change. The group
     * commit starts with everything up to the recovered end counted as durable, so a sync before
     * any new write must not be told that without this force (an fsync of a file written before
     * the kill would return at once, and a power cut could still lose it).
     */
    static void forceRecovered(Segment active) throws IOException {
        DataFile file = active.file();
        if (file != null && active.size > 0) {
            file.force(true);
            active.lengthForced = active.size;
        }
    }

    ReentrantLock writeLock() {
        return writeLock;
    }

    Segment active() {
        return active;
    }

    /** Whether {@link #close} ran: the database is closed. */
    boolean isClosed() {
        return closed;
    }

    /** The failure that stopped writes, or null. */
    Throwable failure() {
        return writeFailure;
    }

    long forceCount() {
        return commits.forceCount();
    }

    /** Forces everything appended so far (the caller holds no lock). */
    void sync() {
        ensureWritable();
        awaitDurableOrStop(active.endLsn());
    }

    /** Seals the active segment and opens a new one {@code reserve} ids further on; returns the first reserved id. */
    int rotateForMerge(int reserve) {
        ensureWritable();
        Segment old = active;
        rotateTo(old, old.id + reserve + 1);
        return old.id + 1;
    }

    /** Stops the background force (first, at close: it must not race the final one). */
    void stopSyncer() {
        syncer.stop();
    }

    /**
     * The final force at close (under the write lock), through group commit like every force: a
     * writer that appended before close and waits is released by it or failed by its failure, and
     * never finds the file closed. Returns the failure, if the force failed; from then on every
     * waiter fails and nothing more is written.
     */
    IOException close() {
        if (warmer != null) warmer.stop();
        IOException failure = null;
        if (writeFailure == null) {
            try {
                trimPrepared(active);
                if (LabDefects.on(LabDefects.Defect.CLOSE_FORCES_ASIDE)) active.file().force(true);
                else commits.awaitDurable(active.endLsn(), this::forceActive);
            } catch (IOException | RuntimeException e) {
                failure = e instanceof IOException io ? io : new IOException(e);
                if (!LabDefects.on(LabDefects.Defect.CLOSE_FORCES_ASIDE)) stop(failure, "final force of " + active.path);
            }
        }
        closed = true;
        if (!LabDefects.on(LabDefects.Defect.CLOSE_FORCES_ASIDE)) {
            commits.fail(new IOException("database " + dir + " is closed")); // a late waiter: nothing after this force was appended
        }
        if (failure == null && writeFailure == null) writeActiveHint(); // nothing more is written once a force failed
        return failure;
    }

    /**
     * At a clean close, a hint for the active segment too, so that the next open reads no records
     * at all (it uses the hint only if it still names the file's exact size, and deletes it before
     * anything is appended). Optional: if it cannot be written, the next open scans.
     */
    private void writeActiveHint() {
        if (active.empty() || !options.useHints()) return;
        try {
            HintFiles.writeFor(files, dir, active.id);
        } catch (IOException | RuntimeException e) {
            // the records are forced; only the next open's speed is lost
        }
    }

    /**
     * Takes the write lock for a write, spinning for up to {@link #WRITE_LOCK_SPIN_NANOS} before
     * queueing. The lock is held for microseconds (one append, or one slice of a merge's keydir
     * switch), and a thread that queues parks at once: waking it again takes tens of µs on this
     * kind of VM (its vCPU may have halted), more than the wait itself.
     */
    void lock() {
        if (writeLock.tryLock()) return;
        long deadline = System.nanoTime() + WRITE_LOCK_SPIN_NANOS;
        do {
            Thread.onSpinWait();
            if (writeLock.tryLock()) return;
        } while (System.nanoTime() < deadline);
        writeLock.lock();
    }

    /**
     * The buffer records are encoded into before the append. It is direct: the channel writes a
     * heap buffer by first copying it into a temporary direct one, a second copy of every byte.
     */
    ByteBuffer writeBuffer(int length) {
        if (writeBuffer.capacity() < length) {
            writeBuffer = directBuffer(Math.max(length, writeBuffer.capacity() * 2));
        } else if (writeBuffer.capacity() > KEPT_WRITE_BUFFER && length <= MIN_WRITE_BUFFER) {
            writeBuffer = directBuffer(MIN_WRITE_BUFFER); // give back what one huge value took
        }
        return writeBuffer.clear();
    }

    private static ByteBuffer directBuffer(int capacity) {
        return ByteBuffer.allocateDirect(capacity).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Runs one write ({@code append} appends and applies it under the write lock, and returns the
     * log position it must reach before it is acknowledged, or -1) and returns once that is
     * durable. Under {@code always} writes from many threads are combined (see {@link CombiningJournal}).
     */
    void write(CombiningJournal.Append append) {
        if (journal != null) {
            journal.write(append);
            return;
        }
        long lsn;
        lock();
        try {
            lsn = append.run();
        } finally {
            writeLock.unlock();
        }
        awaitDurable(lsn);
    }

    /**
     * The segment a record of {@code length} bytes, encoded in {@link RecordCodec#current}, goes to:
     * the active one, rotated first if it would pass the limit or holds an older format's records
     * (a database written by an older Cask: its records stay where they are, readable, and the
     * new ones start a segment of the current format).
     */
    Segment segmentFor(int length) {
        Segment current = active;
        // sealed: an earlier rotation sealed it but could not create the next segment; try again now
        if (current.sealed || current.codec != RecordCodec.current() || (!current.empty() && current.size + length > options.maxFileSize())) {
            rotate(current);
        }
        return active;
    }

    private void rotate(Segment old) {
        rotateTo(old, old.id + 1);
        onSealed.accept(old.id);
    }

    /**
     * Seals {@code old} (forced first, whatever the policy) and makes segment {@code id} the active
     * one. Whatever step fails, the state stays consistent: a failed trim or force stops writes; if
     * the new segment cannot be created (or made durable in its directory), {@code old} stays the
     * active segment, sealed, and the next write tries the creation again.
     */
    private void rotateTo(Segment old, int id) {
        if (!old.sealed) {
            try {
                trimPrepared(old); // a sealed segment ends at its last record: recovery refuses zeros in one
                DataFile file = old.file();
                if (file != null) file.force(true);
            } catch (IOException e) {
                throw stop(e, "trim and force of " + old.path + " before closing it");
            }
            commits.advance(old.endLsn());
            try {
                old.seal();
            } catch (IOException e) {
                throw new StorageException("cannot close segment " + old.path + ": " + e + " (its records were forced);"
                        + " the next write opens a new segment", e);
            }
        }
        if (id <= old.id) { // past Integer.MAX_VALUE: at one segment per 64 bytes, 128 GiB of segments; at the default size, never
            throw new LimitExceededException("segment ids are exhausted (the next would pass " + Integer.MAX_VALUE + "); nothing was written");
        }
        Path path = dir.resolve(SegmentNames.dataName(id));
        index.keyDir.registerSegment(id); // a segment the keydir could not index is refused here, before any write to it
        DataFile file;
        try {
            file = files.open(path, activeMode);
        } catch (IOException e) {
            index.keyDir.releaseSegment(id);
            throw new StorageException("cannot create segment " + path + ": " + e + "; nothing was written", e);
        }
        FileHeader.Read header;
        try {
            header = FileHeader.write(file, FileHeader.Kind.DATA);
            file.force(true); // a new file is forced, then its directory
            files.syncDirectory(dir);
        } catch (IOException e) {
            closeQuietly(file);
            try {
                files.delete(path);
            } catch (IOException ignored) {
                // a segment left behind holds at most its header: it loads as empty
            }
            index.keyDir.releaseSegment(id);
            throw new StorageException("cannot make segment " + path + " durable: " + e + "; nothing was written", e);
        }
        Segment segment = Segment.active(id, path, files, file, header.firstRecord(), header);
        index.addSegment(segment);
        active = segment;
    }

    /**
     * Refuses a put of {@code length} bytes that would eat into the free space kept for deletes and
     * merges (as file systems keep reserved blocks): after a full disk, a user can still delete keys
     * and merge. The file system is asked (one statfs) once per MiB written, and before every put
     * while space is short; deletes never ask.
     */
    void keepReserve(int length) {
        long reserve = options.reservedBytes();
        if (reserve == 0) return;
        bytesSinceSpaceCheck += length;
        if (!shortOfSpace && bytesSinceSpaceCheck < SPACE_CHECK_BYTES) return;
        bytesSinceSpaceCheck = 0;
        long usable;
        try {
            usable = files.usableSpace(dir);
        } catch (IOException e) {
            return; // cannot tell: the write itself will say if the disk is full
        }
        shortOfSpace = usable - SPACE_CHECK_BYTES - length < reserve;
        if (shortOfSpace) {
            throw new NoSpaceException("the disk holding " + dir + " has " + usable + " bytes free, and " + reserve + " are kept so that"
                    + " deletes and merges can still run; this put of " + length + " bytes was refused and nothing was written."
                    + " Delete keys and merge, or free space, and puts work again", null);
        }
    }

    /** Writes the whole buffer at the segment's end; on failure cuts back so that nothing is half there. */
    long append(Segment segment, ByteBuffer buf) {
        long at = segment.size;
        int length = buf.remaining();
        prepareAhead(segment, at + length);
        try {
            segment.file().write(buf, at);
        } catch (IOException e) {
            try {
                segment.file().truncate(at);
                segment.preparedEnd = at;
            } catch (IOException t) {
                e.addSuppressed(t);
                throw stop(e, "write of " + length + " bytes to " + segment.path + " (and the truncate undoing it)");
            }
            if (activeMode != OpenMode.WRITE) throw stop(e, "synchronous write of " + length + " bytes to " + segment.path);
            if (NoSpaceException.isNoSpace(e)) {
                throw new NoSpaceException("the disk is full: write of " + length + " bytes to " + segment.path + " failed (" + e.getMessage()
                        + "); nothing was written."
                        + " Delete keys and merge, or free space, and writes work again", e);
            }
            throw new StorageException("write of " + length + " bytes to " + segment.path + " at offset " + at + " failed: "
                    + e.getMessage() + "; nothing was written", e);
        }
        if (activeMode == OpenMode.WRITE_DSYNC && at + length > segment.lengthForced) forceLength(segment, at + length); // grew past the prepared hole
        segment.size = at + length;
        bytesSinceSyncRequest += length;
        if (bytesSinceSyncRequest >= BACKGROUND_SYNC_BYTES) {
            bytesSinceSyncRequest = 0;
            syncer.request();
        }
        return at;
    }

    /**
     * Keeps the file grown (a hole, no disk blocks) at least half of {@code prepareAhead} past {@code end},
     * and (under {@code warmTail}) has the warmer read the new part in, so that appends land in cached pages. Bounded by
     * maxFileSize; a failure to grow is ignored, since the write grows the file itself.
     */
    private void prepareAhead(Segment segment, long end) {
        long ahead = options.prepareAhead(); // by default 8 MiB, so one extend per 4 MiB of appends
        if (segment.preparedEnd - end >= ahead / 2 || ahead == 0) return;
        long to = Math.min(end + ahead, options.maxFileSize());
        if (to <= segment.preparedEnd || to <= end) return; // at the size limit, or a record bigger than it
        DataFile file = segment.file();
        try {
            file.extend(to);
        } catch (IOException e) {
            return;
        }
        if (activeMode == OpenMode.WRITE_DSYNC) forceLength(segment, to);
        if (warmer != null) warmer.warm(file, () -> segment.size, Math.max(end, segment.preparedEnd), to);
        segment.preparedEnd = to;
    }

    /**
     * Under {@code odsync} each write is durable as data only: a new file length needs a force with
     * metadata before a record past the last one is acknowledged (once per prepared stretch).
     */
    private void forceLength(Segment segment, long length) {
        try {
            segment.file().force(true);
        } catch (IOException e) {
            throw stop(e, "force of the new length of " + segment.path);
        }
        segment.lengthForced = length;
    }

    /** Cuts the zeros prepared past the segment's last record. */
    private static void trimPrepared(Segment segment) throws IOException {
        DataFile file = segment.file();
        if (file != null && segment.preparedEnd > segment.size) file.truncate(segment.size);
        segment.preparedEnd = segment.size;
    }

    /** Appends so far (a put, a delete or a batch each count one); written under the write lock, read by anyone. */
    private final java.util.concurrent.atomic.AtomicLong appends = new java.util.concurrent.atomic.AtomicLong();

    long appendCount() {
        return appends.get();
    }

    /** The log position this write must reach before it may be acknowledged, or -1 if none. */
    long afterAppend(Segment segment) {
        appends.setRelease(appends.getPlain() + 1); // one writer, the lock holder: no atomic add on the put path
        long end = segment.endLsn();
        return switch (options.syncPolicy()) {
            case SyncPolicy.Always a -> end;
            case SyncPolicy.OpenSync s -> {
                commits.advance(end);
                yield -1;
            }
            case SyncPolicy.EveryWrites every -> {
                if (++writesSinceForce >= every.writes()) {
                    writesSinceForce = 0;
                    awaitDurableOrStop(end);
                }
                yield -1;
            }
            case SyncPolicy.None n -> -1;
            case SyncPolicy.Interval i -> -1; // the background syncer forces
        };
    }

    void awaitDurable(long lsn) {
        if (lsn >= 0) awaitDurableOrStop(lsn);
    }

    void awaitDurableOrStop(long lsn) {
        try {
            commits.awaitDurable(lsn, this::forceActive);
        } catch (IOException e) {
            throw stop(e, "force of " + active.path);
        }
    }

    private long forceActive() throws IOException {
        Segment segment = active;
        long end = segment.endLsn();
        DataFile file = segment.file();
        if (file == null) {
            if (segment.sealed || LabDefects.on(LabDefects.Defect.CLOSE_FORCES_ASIDE)) return end; // sealed: rotation forced it before sealing
            throw new ClosedChannelException(); // closed: no force happened, so none may be claimed
        }
        // read after end: the writer grows the file before it writes, so this length holds every record up to end
        long length = segment.fileLength();
        boolean metadata = forceMetadata() || length != segment.lengthForced;
        try {
            file.force(metadata);
        } catch (ClosedChannelException e) {
            if (!segment.sealed && !LabDefects.on(LabDefects.Defect.CLOSE_FORCES_ASIDE)) throw e; // sealed under us: rotation forced it
            return end;
        }
        if (metadata) segment.lengthForced = length;
        return end;
    }

    private boolean forceMetadata() {
        return options.syncPolicy().forcesMetadata();
    }

    private void syncInBackground() {
        if (closed || writeFailure != null) return;
        Segment segment = active;
        if (commits.durableLsn() >= segment.endLsn()) return;
        try {
            commits.awaitDurable(segment.endLsn(), this::forceActive);
        } catch (IOException e) {
            if (!closed) stop(e, "background force of " + segment.path);
        }
    }

    /** Stops all writing after a failure that may have lost acknowledged-to-be data. */
    WritesStoppedException stop(Throwable cause, String what) {
        if (writeFailure == null) writeFailure = cause;
        if (cause instanceof IOException io) commits.fail(io);
        return stopped(cause, what);
    }

    WritesStoppedException stopped(Throwable cause) {
        return stopped(cause, "an earlier force or synchronous write");
    }

    private WritesStoppedException stopped(Throwable cause, String what) {
        return new WritesStoppedException(what + " failed (" + cause + "); the data written since the last successful force may be lost,"
                + " so this database refuses writes until it is closed and reopened", cause);
    }

    void ensureWritable() {
        if (closed) throw new IllegalStateException("database " + dir + " is closed");
        Throwable failure = writeFailure;
        if (failure != null) throw stopped(failure);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing after a failure: the first error is the one worth reporting
        }
    }
}

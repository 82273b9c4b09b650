package dev.cask.core;

import dev.cask.core.io.DataFile;
import dev.cask.core.io.FileLayer;
import dev.cask.core.io.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A Bitcask database: append-only segment files of CRC-checked records, and an in-memory keydir
 * that maps every key to its newest record.
 *
 * <p>Thread-safe. Writes are serialised by one lock and appended to the active segment; reads are
 * one keydir lookup and one positional read, concurrent with writes and with each other.
 *
 * <p>A write becomes visible to readers once it has reached the kernel, and {@code put} returns
 * once the {@linkplain SyncPolicy sync policy} is satisfied: under {@code always} that is after a
 * force covering the write. A failed force stops all writing ({@link WritesStoppedException})
 * until the database is reopened.
 *
 * <p>Only one process may open a directory: a second gets {@link DatabaseLockedException}.
 */
public final class Cask implements AutoCloseable {
    private static final int MIN_WRITE_BUFFER = 64 << 10;
    /** Up to this, a grown write buffer is kept: a stream of 1 MiB batches (a file copy through cask mount) must not reallocate it. */
    private static final int KEPT_WRITE_BUFFER = 4 << 20;
    /** Appended bytes after which the background syncer is asked for a force, whatever the policy (see {@link BackgroundSyncer}). */
    private static final long BACKGROUND_SYNC_BYTES = 8 << 20;
    /** How long a writer spins for the write lock before it parks (see {@link #lockForWrite}). */
    private static final long WRITE_LOCK_SPIN_NANOS = 20_000;

    private final Path dir;
    private final CaskOptions options;
    private final FileLayer files;
    private final DirectoryLock lock;
    private final Index index;
    private final RecoveryReport recovery;
    private final GroupCommit commits;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final BackgroundSyncer syncer;
    private long bytesSinceSyncRequest;
    private final OpenMode activeMode;
    private volatile Segment active;
    private volatile Throwable writeFailure;
    private volatile boolean closed;
    private volatile boolean closing;
    private ByteBuffer writeBuffer = directBuffer(MIN_WRITE_BUFFER);
    private int writesSinceForce;
    /** Bytes put since the free space was last asked for, and whether it was short then (see keepReserve). */
    private long bytesSinceSpaceCheck = Long.MAX_VALUE / 2;
    private boolean shortOfSpace;
    private static final long SPACE_CHECK_BYTES = 1 << 20;
    private final ReentrantLock mergeLock = new ReentrantLock();
    private final BackgroundWorker background;
    private final TailWarmer warmer;
    private volatile MergeResult lastMerge;
    /** A merge that failed after its commit began: no merge runs again until reopen (see Merger.Host). */
    private volatile Throwable mergeStopped;
    private volatile String lastBackgroundError;

    private Cask(Path dir, CaskOptions options, FailStopLayer files, DirectoryLock lock, Index index, RecoveryReport recovery,
            OpenMode activeMode, List<Integer> segmentsWithoutHint) {
        this.dir = dir;
        this.options = options;
        this.files = files;
        this.lock = lock;
        this.index = index;
        this.recovery = recovery;
        this.activeMode = activeMode;
        this.active = index.newest();
        this.commits = new GroupCommit(active.endLsn());
        files.onFailure(e -> stop(e, "a force")); // every failed force, wherever it ran, stops writes and fails the waiters
        this.syncer = BackgroundSyncer.start(options.syncPolicy().intervalMillis(),
                this::syncInBackground, dir);
        this.background = new BackgroundWorker("cask-background " + dir.getFileName());
        this.warmer = new TailWarmer("cask-warmer " + dir.getFileName());
        background.onFailure(t -> lastBackgroundError = t.toString());
        for (int id : segmentsWithoutHint) background.submit(() -> writeHint(id));
    }

    /**
     * Opens (creating if missing) the database in {@code dir}, recovering from a crash if needed:
     * see {@link #recoveryReport()} for what that did.
     */
    public static Cask open(Path dir, CaskOptions options) {
        FileLayer base = options.fileLayer();
        DirectoryLock lock = null;
        try {
            base.createDirectoriesDurably(dir);
            lock = DirectoryLock.acquire(dir);
            FailStopLayer.checkNoEarlierFailure(base, dir);
            FailStopLayer files = new FailStopLayer(base, dir);
            OpenMode mode = options.syncPolicy().openMode();
            Index index = new Index();
            Recovery.Result result;
            try {
                result = Recovery.run(dir, files, index, mode, lock.stalePid(), options.useHints(), options.recoveryMode());
            } catch (IOException | RuntimeException e) {
                for (Segment s : index.segments()) closeQuietly(s::close);
                throw e;
            }
            try {
                forceRecovered(index.newest());
            } catch (IOException | RuntimeException e) {
                for (Segment s : index.segments()) closeQuietly(s::close);
                throw e;
            }
            return new Cask(dir, options, files, lock, index, result.report(), mode, result.segmentsWithoutHint());
        } catch (IOException e) {
            closeQuietly(lock);
            throw new StorageException("cannot open database " + dir + ": " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(lock);
            throw e;
        }
    }

    public static Cask open(Path dir) {
        return open(dir, CaskOptions.defaults());
    }

    /**
     * Forces what recovery kept of the active segment: after a kill under a lazy policy its tail may
     * still be page cache only, and recovery's cut of the grown zeros is a size change. The group
     * commit starts with everything up to the recovered end counted as durable, so a sync before
     * any new write must not be told that without this force (an fsync of a file written before
     * the kill would return at once, and a power cut could still lose it).
     */
    private static void forceRecovered(Segment active) throws IOException {
        DataFile file = active.file();
        if (file != null && active.size > 0) {
            file.force(true);
            active.lengthForced = active.size;
        }
    }

    /** The value of {@code key}, or null if it is missing, deleted or expired. */
    public byte[] get(byte[] key) {
        return withRecord(key, (record, entry) -> {
            byte[] value = new byte[entry.valueSize()];
            record.get((int) RecordCodec.valuePosition(0, key.length), value);
            return value;
        });
    }

    /** What {@link #withRecord} hands a reader: the checked record, and its keydir entry. */
    private interface RecordReader<T> {
        T read(ByteBuffer record, KeyDirEntry entry);
    }

    /**
     * Looks {@code key} up and hands its CRC-checked record to {@code reader}; null if the key is
     * missing, deleted or expired. A segment retired by a merge between the lookup and the read
     * sends it round again: by then the keydir points at the merged copy.
     */
    private <T> T withRecord(byte[] key, RecordReader<T> reader) {
        ensureOpen();
        while (true) {
            KeyDirEntry entry = index.keyDir.get(key);
            if (entry == null || entry.expiredAt(now())) return null;
            Segment segment = index.segment(entry.segmentId());
            if (segment == null) continue;
            try {
                return reader.read(checkedRecord(segment, key, entry), entry);
            } catch (ClosedChannelException | IllegalStateException e) {
                if (closed) throw new IllegalStateException("database " + dir + " is closed");
                // the segment was retired (closed and unmapped) under us: the keydir already points elsewhere
            } catch (IOException e) {
                throw new StorageException("read of segment " + segment.path + " failed: " + e, e);
            }
        }
    }

    /** The record of {@code entry}, once its CRC and header check out. */
    static ByteBuffer checkedRecord(Segment segment, byte[] key, KeyDirEntry entry) throws IOException {
        int length = entry.recordLength(key.length);
        long position = entry.recordPosition(key.length);
        ByteBuffer buf = segment.read(position, length);
        if (RecordCodec.check(buf, 0, buf.limit()) != length || RecordCodec.isTombstone(buf, 0) || !RecordCodec.hasKey(buf, 0, key)) {
            throw new CorruptionException("record of " + length + " bytes at offset " + position + " of segment " + segment.path
                    + " failed its CRC or header check; the value is not returned", segment.path, position);
        }
        return buf;
    }

    /**
     * Copies the value of {@code key} from byte {@code from} on into {@code into}, as much as fits,
     * advancing its position: a read of part of a large value without allocating it. The whole
     * record's CRC is still checked. Returns the value's full length, or -1 if the key is missing,
     * deleted or expired (and then copies nothing).
     */
    public int read(byte[] key, int from, ByteBuffer into) {
        if (from < 0) throw new IllegalArgumentException("from must be >= 0, got " + from);
        Integer length = withRecord(key, (record, entry) -> {
            int n = Math.max(0, Math.min(into.remaining(), entry.valueSize() - from));
            if (n > 0) into.put(into.position(), record, (int) RecordCodec.valuePosition(0, key.length) + from, n).position(into.position() + n);
            return entry.valueSize();
        });
        return length == null ? -1 : length;
    }

    public boolean contains(byte[] key) {
        return metadata(key) != null;
    }

    /** Where the key's newest version lives (its timestamp and expiry among it), or null if it is not visible. */
    public KeyDirEntry metadata(byte[] key) {
        ensureOpen();
        KeyDirEntry entry = index.keyDir.get(key);
        return entry == null || entry.expiredAt(now()) ? null : entry;
    }

    public void put(byte[] key, byte[] value) {
        put(key, value, 0);
    }

    /** Stores {@code value} under {@code key}, expiring at {@code expiryMillis} (ms since the epoch; 0 = never). */
    public void put(byte[] key, byte[] value, long expiryMillis) {
        checkKey(key);
        checkValue(value);
        if (expiryMillis < 0) throw new IllegalArgumentException("expiry must be >= 0, got " + expiryMillis);
        long lsn;
        lockForWrite();
        try {
            ensureWritable();
            int length = RecordCodec.putSize(key.length, value.length);
            keepReserve(length);
            long now = now();
            ByteBuffer buf = writeBuffer(length);
            RecordCodec.encodePut(buf, now, expiryMillis, key, value);
            Segment segment = segmentFor(length);
            long at = append(segment, buf.flip());
            index.applyPut(key, new KeyDirEntry(segment.id, RecordCodec.valuePosition(at, key.length), value.length, expiryMillis),
                    segment, length);
            lsn = afterAppend(segment);
        } finally {
            writeLock.unlock();
        }
        awaitDurable(lsn);
    }

    /** Deletes {@code key} with a tombstone; false (and nothing written) if it was not visible. */
    public boolean delete(byte[] key) {
        checkKey(key);
        long lsn;
        lockForWrite();
        try {
            ensureWritable();
            KeyDirEntry entry = index.keyDir.get(key);
            if (entry == null || entry.expiredAt(now())) return false;
            int length = RecordCodec.tombstoneSize(key.length);
            ByteBuffer buf = writeBuffer(length);
            RecordCodec.encodeTombstone(buf, now(), key);
            Segment segment = segmentFor(length);
            append(segment, buf.flip());
            index.applyDelete(key);
            lsn = afterAppend(segment);
        } finally {
            writeLock.unlock();
        }
        awaitDurable(lsn);
        return true;
    }

    /**
     * Applies every put and delete of {@code batch} atomically: they are written as one append
     * framed by a begin and a commit record, and recovery drops a batch whose commit is missing.
     * A batch of one operation is written as a plain record, which its CRC makes atomic.
     */
    public void write(WriteBatch batch) {
        awaitDurable(append(batch));
    }

    /**
     * Applies {@code batch} as {@link #write} does, but returns without waiting for the force that
     * an {@code always} policy asks for. The writes are visible at once and become durable when a
     * later {@link #sync} returns; until then they must not be acknowledged as durable. This is
     * for a caller that makes many writes share one force, such as the server's event loop, which
     * holds its replies until the sync that covers them.
     */
    public void writeWithoutSync(WriteBatch batch) {
        append(batch);
    }

    /** Appends the batch and applies it to the keydir; returns the log position to await, or -1. */
    private long append(WriteBatch batch) {
        if (batch.size() == 0) return -1;
        boolean framed = batch.size() > 1;
        int length = framed ? 2 * RecordCodec.controlSize() : 0;
        for (WriteBatch.Op op : batch.ops()) {
            checkKey(op.key());
            if (op.isDelete()) {
                length += RecordCodec.tombstoneSize(op.key().length);
            } else {
                checkValue(op.value());
                length += RecordCodec.putSize(op.key().length, op.value().length);
            }
            if (length > RecordCodec.MAX_VALUE_SIZE) {
                throw new LimitExceededException("batch is larger than " + RecordCodec.MAX_VALUE_SIZE + " bytes; nothing was written");
            }
        }
        boolean onlyDeletes = batch.ops().stream().allMatch(WriteBatch.Op::isDelete);
        lockForWrite();
        try {
            ensureWritable();
            if (!onlyDeletes) keepReserve(length);
            long now = now();
            ByteBuffer buf = writeBuffer(length);
            if (framed) RecordCodec.encodeControl(buf, now, RecordCodec.CONTROL_BATCH_BEGIN, batch.size());
            long[] offsets = new long[batch.size()];
            int i = 0;
            for (WriteBatch.Op op : batch.ops()) {
                offsets[i++] = buf.position();
                if (op.isDelete()) RecordCodec.encodeTombstone(buf, now, op.key());
                else RecordCodec.encodePut(buf, now, op.expiry(), op.key(), op.value());
            }
            if (framed) RecordCodec.encodeControl(buf, now, RecordCodec.CONTROL_BATCH_COMMIT, batch.size());
            Segment segment = segmentFor(length);
            long at = append(segment, buf.flip());
            i = 0;
            for (WriteBatch.Op op : batch.ops()) {
                long recordAt = at + offsets[i++];
                if (op.isDelete()) {
                    index.applyDelete(op.key());
                } else {
                    KeyDirEntry entry = new KeyDirEntry(segment.id, RecordCodec.valuePosition(recordAt, op.key().length),
                            op.value().length, op.expiry());
                    index.applyPut(op.key(), entry, segment, RecordCodec.putSize(op.key().length, op.value().length));
                }
            }
            return afterAppend(segment);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Throws the {@link LimitExceededException} a put of this key and value would throw, without
     * writing: for a caller that gathers puts before writing them together.
     */
    public void checkPut(byte[] key, byte[] value) {
        checkKey(key);
        checkValue(value);
    }

    /** Forces everything written so far to disk, whatever the sync policy. */
    public void sync() {
        ensureOpen();
        Throwable failure = writeFailure;
        if (failure != null) throw stopped(failure);
        awaitDurableOrStop(active.endLsn());
    }

    /** How many keys the keydir holds: expired ones count until a merge drops them (Redis's DBSIZE counts the same way). */
    public long size() {
        ensureOpen();
        return index.keyDir.size();
    }

    /** A snapshot of the live keys (not deleted, not expired), in no particular order. */
    public List<byte[]> keys() {
        List<byte[]> keys = new ArrayList<>();
        forEachKey(k -> keys.add(k.clone()));
        return keys;
    }

    /** Visits every live key; weakly consistent with concurrent writes. Do not modify the array. */
    public void forEachKey(Consumer<byte[]> visitor) {
        ensureOpen();
        long now = now();
        index.keyDir.forEach((key, entry) -> {
            if (!entry.expiredAt(now)) visitor.accept(key);
        });
    }

    /**
     * One step of a cursor walk over the live keys, for Redis's SCAN. The cursor is a position in
     * the keydir's hash order, not a slot, so growing or shrinking the keydir between steps moves
     * nothing: a key present for the whole walk is visited exactly once. Start at 0; each step
     * visits at least {@code count} keys where there are that many left (or a few more) and
     * returns the cursor of the next step, 0 once the walk is done.
     */
    public long scan(long cursor, int count, Consumer<byte[]> visitor) {
        ensureOpen();
        long now = now();
        return index.keyDir.scan(cursor, Math.max(1, count), (key, entry) -> {
            if (!entry.expiredAt(now)) visitor.accept(key);
        });
    }

    /**
     * Rewrites the live data of every sealed segment into new segments (with hint files) and
     * deletes the old ones; writers go on meanwhile. Throws {@link MergeInProgressException} if a
     * merge is already running. See {@code Merger} for the crash-safety argument.
     */
    public MergeResult merge(Progress progress) {
        ensureWritable();
        if (!mergeLock.tryLock()) throw new MergeInProgressException("a merge of " + dir + " is already running");
        try {
            ensureWritable();
            Throwable late = mergeStopped;
            if (late != null) {
                throw new StorageException("an earlier merge failed after its commit began (" + late + "); its files are consistent on"
                        + " disk, but merging stays stopped until the database is reopened, whose recovery settles them", late);
            }
            MergeResult result = new Merger(mergeHost(), dir, files, options, progress).run();
            lastMerge = result;
            return result;
        } catch (IOException e) {
            throw new StorageException("merge of " + dir + " failed: " + e + "; the old segments are untouched", e);
        } finally {
            mergeLock.unlock();
        }
    }

    public MergeResult merge() {
        return merge(Progress.NONE);
    }

    /**
     * Makes a consistent copy of this database in {@code dest} (a new or empty directory) while it
     * stays in use: the copy opens with exactly the writes made before the backup began. Merges
     * wait meanwhile; writers do not.
     */
    public BackupResult backup(Path dest) {
        ensureOpen();
        mergeLock.lock();
        try {
            Backup.Snapshot snapshot;
            writeLock.lock();
            try {
                ensureWritable();
                Segment current = active;
                awaitDurableOrStop(current.endLsn());
                List<Integer> sealed = new ArrayList<>();
                for (Segment s : index.segments()) if (s != current) sealed.add(s.id);
                snapshot = new Backup.Snapshot(sealed, current.id, current.size);
            } finally {
                writeLock.unlock();
            }
            return Backup.write(files, dir, dest, snapshot);
        } catch (IOException e) {
            throw new StorageException("backup of " + dir + " to " + dest + " failed: " + e, e);
        } finally {
            mergeLock.unlock();
        }
    }

    /** Waits until background work queued so far (hint files, an automatic merge) is done. */
    public void awaitBackgroundWork() {
        background.drain();
    }

    /** The last completed merge of this handle, or null. */
    public MergeResult lastMerge() {
        return lastMerge;
    }

    /** Keydir slots held by segments (package-private: tests check that removed segments give theirs back). */
    int segmentSlotsInUse() {
        return index.keyDir.segmentSlotsInUse();
    }

    /** The last failure of a background task (hint writing, automatic merge), or null. */
    public String lastBackgroundError() {
        return lastBackgroundError;
    }

    private Merger.Host mergeHost() {
        return new Merger.Host() {
            @Override
            public ReentrantLock writeLock() {
                return writeLock;
            }

            @Override
            public Index index() {
                return index;
            }

            @Override
            public int rotateForMerge(int reserve) {
                ensureWritable();
                Segment old = active;
                rotateTo(old, old.id + reserve + 1);
                return old.id + 1;
            }

            @Override
            public long now() {
                return Cask.this.now();
            }

            @Override
            public boolean stopped() {
                return writeFailure != null;
            }

            @Override
            public void failedAfterCommitBegan(Throwable failure) {
                if (LabDefects.on(LabDefects.Defect.MERGING_GOES_ON_AFTER_A_LATE_FAILURE)) return;
                mergeStopped = failure;
            }
        };
    }

    private void mergeIfWorthIt() {
        if (closing || writeFailure != null || mergeStopped != null) return;
        CaskStats stats = stats();
        long dead = stats.deadBytes() + stats.expiredBytes();
        long all = stats.liveBytes() + stats.deadBytes();
        if (all == 0 || dead < options.mergeMinDeadBytes() || (double) dead / all < options.mergeFragmentation()) return;
        try {
            merge();
        } catch (MergeInProgressException ignored) {
            // someone else is merging already
        }
    }

    private void writeHint(int id) {
        Segment segment = index.segment(id);
        if (segment == null || !segment.sealed) return; // merged away meanwhile
        try {
            HintFiles.writeFor(files, dir, id);
        } catch (IOException e) {
            throw new StorageException("hint file for segment " + id + " not written (open will scan that segment): " + e, e);
        }
    }

    /** Keys, expired keys (a walk of the whole keydir), and bytes per segment. */
    public CaskStats stats() {
        return stats(true);
    }

    /**
     * As {@link #stats()}, but without counting expired keys (reported as 0), which walks the
     * whole keydir: for callers that ask often, such as the server's INFO.
     */
    public CaskStats segmentStats() {
        return stats(false);
    }

    private CaskStats stats(boolean countExpired) {
        ensureOpen();
        writeLock.lock();
        try {
            long now = now();
            long[] expired = new long[2];
            if (countExpired) {
                index.keyDir.forEach((key, entry) -> {
                    if (entry.expiredAt(now)) {
                        expired[0]++;
                        expired[1] += entry.recordLength(key.length);
                    }
                });
            }
            List<SegmentStats> segments = new ArrayList<>();
            long live = 0;
            long dead = 0;
            for (Segment s : index.segments()) {
                SegmentStats stats = new SegmentStats(s.id, s.path.getFileName().toString(), s.size, s.liveBytes, s == active);
                segments.add(stats);
                live += stats.liveBytes();
                dead += stats.deadBytes();
            }
            double fragmentation = live + dead == 0 ? 0 : (double) dead / (live + dead);
            return new CaskStats(index.keyDir.size(), expired[0], expired[1], live, dead, fragmentation, options.syncPolicy().toString(),
                    List.copyOf(segments), recovery.foreignFiles());
        } finally {
            writeLock.unlock();
        }
    }

    /** What opening found and did: torn tails cut, foreign files, a stale lock taken over. */
    public RecoveryReport recoveryReport() {
        return recovery;
    }

    public Path directory() {
        return dir;
    }

    public CaskOptions options() {
        return options;
    }

    /** How many forces the engine has run through its group commit (for tests and benchmarks). */
    public long forceCount() {
        return commits.forceCount();
    }

    /** Whether writes were stopped by a failed force; if so, {@link #put} throws until reopened. */
    public boolean writesStopped() {
        return writeFailure != null;
    }

    /** Forces what was written (unless writes were stopped by a failure), then closes every file and the lock. */
    @Override
    public void close() {
        if (closed) return;
        syncer.stop();
        closing = true;
        background.stop();
        mergeLock.lock(); // a barrier: a merge run by another thread finishes (or gives up) first
        try {
            closing = true;
        } finally {
            mergeLock.unlock();
        }
        writeLock.lock();
        try {
            if (closed) return;
            IOException failure = null;
            warmer.stop();
            if (writeFailure == null) {
                try {
                    trimPrepared(active);
                    // through group commit, like every force: a writer that appended before close and waits is released by
                    // this force, or failed by its failure; it never finds the file closed and returns as if durable
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
            for (Segment s : index.segments()) closeQuietly(s::close);
            closeQuietly(lock);
            if (failure != null) throw new StorageException("final force of " + active.path + " failed; recent writes may be lost: " + failure, failure);
        } finally {
            writeLock.unlock();
        }
    }

    // ---- the write path (all under writeLock) ----

    /**
     * Takes the write lock for a write, spinning for up to {@link #WRITE_LOCK_SPIN_NANOS} before
     * queueing. The lock is held for microseconds (one append, or one slice of a merge's keydir
     * switch), and a thread that queues parks at once: waking it again takes tens of µs on this
     * kind of VM (its vCPU may have halted), more than the wait itself.
     */
    private void lockForWrite() {
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
    private ByteBuffer writeBuffer(int length) {
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

    /** The segment a record of {@code length} bytes goes to: the active one, rotated first if it would pass the limit. */
    private Segment segmentFor(int length) {
        Segment current = active;
        // sealed: an earlier rotation sealed it but could not create the next segment; try again now
        if (current.sealed || (current.size > 0 && current.size + length > options.maxFileSize())) rotate(current);
        return active;
    }

    private void rotate(Segment old) {
        rotateTo(old, old.id + 1);
        background.submit(() -> writeHint(old.id));
        if (options.autoMerge()) background.submit(this::mergeIfWorthIt);
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
        try {
            files.syncDirectory(dir);
        } catch (IOException e) {
            closeQuietly(file);
            try {
                files.delete(path);
            } catch (IOException ignored) {
                // an empty segment left behind is harmless: it loads as empty
            }
            index.keyDir.releaseSegment(id);
            throw new StorageException("cannot make segment " + path + " durable in its directory: " + e + "; nothing was written", e);
        }
        Segment segment = Segment.active(id, path, files, file, 0);
        index.addSegment(segment);
        active = segment;
    }

    /**
     * Refuses a put of {@code length} bytes that would eat into the free space kept for deletes and
     * merges (as file systems keep reserved blocks): after a full disk, a user can still delete keys
     * and merge. The file system is asked (one statfs) once per MiB written, and before every put
     * while space is short; deletes never ask.
     */
    private void keepReserve(int length) {
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
    private long append(Segment segment, ByteBuffer buf) {
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
     * and has the warmer read the new part in, so that appends land in cached pages. Bounded by
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
        warmer.warm(file, () -> segment.size, Math.max(end, segment.preparedEnd), to);
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

    /** The log position this write must reach before it may be acknowledged, or -1 if none. */
    private long afterAppend(Segment segment) {
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

    private void awaitDurable(long lsn) {
        if (lsn >= 0) awaitDurableOrStop(lsn);
    }

    private void awaitDurableOrStop(long lsn) {
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
    private WritesStoppedException stop(Throwable cause, String what) {
        if (writeFailure == null) writeFailure = cause;
        if (cause instanceof IOException io) commits.fail(io);
        return stopped(cause, what);
    }

    private WritesStoppedException stopped(Throwable cause) {
        return stopped(cause, "an earlier force or synchronous write");
    }

    private WritesStoppedException stopped(Throwable cause, String what) {
        return new WritesStoppedException(what + " failed (" + cause + "); the data written since the last successful force may be lost,"
                + " so this database refuses writes until it is closed and reopened", cause);
    }

    private void ensureWritable() {
        ensureOpen();
        Throwable failure = writeFailure;
        if (failure != null) throw stopped(failure);
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("database " + dir + " is closed");
    }

    private void checkKey(byte[] key) {
        if (key.length == 0) throw new LimitExceededException("key is empty; keys are 1 .. " + options.maxKeySize() + " bytes");
        if (key.length > options.maxKeySize()) {
            throw new LimitExceededException("key of " + key.length + " bytes is over the limit of " + options.maxKeySize()
                    + " bytes (maxKeySize); nothing was written");
        }
    }

    private void checkValue(byte[] value) {
        if (value.length > options.maxValueSize()) {
            throw new LimitExceededException("value of " + value.length + " bytes is over the limit of " + options.maxValueSize()
                    + " bytes (maxValueSize); nothing was written");
        }
    }

    private long now() {
        return options.clock().millis();
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception ignored) {
            // closing after a failure: the first error is the one worth reporting
        }
    }
}

package dev.cask.core;

import dev.cask.core.io.FileLayer;
import dev.cask.core.io.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    /** The layout every record is written in; {@link ActiveLog#segmentFor} never hands out a segment of another. */
    private static final RecordCodec RECORDS = RecordCodec.current();

    private final Path dir;
    private final CaskOptions options;
    private final FileLayer files;
    private final DirectoryLock lock;
    private final Index index;
    private final RecoveryReport recovery;
    private final ActiveLog log;
    private final Merges merges;
    private final BackgroundWorker background;
    private volatile String lastBackgroundError;

    private Cask(Path dir, CaskOptions options, FailStopLayer files, DirectoryLock lock, Index index, RecoveryReport recovery,
            OpenMode activeMode, List<Integer> segmentsWithoutHint) {
        this.dir = dir;
        this.options = options;
        this.files = files;
        this.lock = lock;
        this.index = index;
        this.recovery = recovery;
        this.background = new BackgroundWorker("cask-background " + dir.getFileName());
        this.log = new ActiveLog(dir, options, files, index, activeMode, sealed -> {
            background.submit(() -> writeHint(sealed));
            if (options.autoMerge()) background.submit(this::mergeIfWorthIt);
        });
        this.merges = new Merges(dir, options, files, index, log, this::segmentStats);
        background.onFailure(t -> lastBackgroundError = t.toString());
        for (int id : segmentsWithoutHint) background.submit(() -> writeHint(id));
    }

    /**
     * Opens (creating if missing) the database in {@code dir}, recovering from a crash if needed:
     * see {@link #recoveryReport()} for what that did.
     */
    public static Cask open(Path dir, CaskOptions options) {
        return open(dir, options, Progress.NONE);
    }

    /** As {@link #open(Path, CaskOptions)}, telling {@code progress} how many bytes of segments recovery has loaded (a big database takes a while). */
    public static Cask open(Path dir, CaskOptions options, Progress progress) {
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
                result = Recovery.run(dir, files, index, mode, lock.stalePid(), options.useHints(), options.recoveryMode(), progress);
            } catch (IOException | RuntimeException e) {
                for (Segment s : index.segments()) closeQuietly(s::close);
                throw e;
            }
            try {
                ActiveLog.forceRecovered(index.newest());
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

    /** The value of {@code key}, or null if it is missing, deleted or expired. */
    public byte[] get(byte[] key) {
        return get(key, null);
    }

    /**
     * As {@link #get(byte[])}, and puts the value's expiry (epoch milliseconds, 0 = none) in
     * {@code expiryOut[0]} when it returns a value: one lookup for both, where {@link #metadata}
     * then {@link #get(byte[])} would take two.
     */
    public byte[] get(byte[] key, long[] expiryOut) {
        ensureOpen();
        ReadScratch scratch = ReadScratch.ofThisThread(); // no entry, no view, no lambda: a get allocates only the value
        long[] entry = scratch.entry;
        while (true) {
            if (!index.keyDir.get(key, entry)) return null;
            int valueSize = (int) entry[2];
            long expiry = entry[3];
            if (expiry != 0 && expiry <= now()) return null;
            Segment segment = index.segment((int) entry[0]);
            if (segment == null) continue;
            try {
                ByteBuffer record = segment.checkedRecord(key, entry[1], valueSize, expiry, scratch);
                byte[] value = new byte[valueSize];
                record.get(record.limit() - valueSize, value); // a value ends where its record does, in every layout
                if (expiryOut != null) expiryOut[0] = expiry;
                return value;
            } catch (ClosedChannelException | IllegalStateException e) {
                if (log.isClosed()) throw new IllegalStateException("database " + dir + " is closed");
                // the segment was retired (closed and unmapped) under us: the keydir already points elsewhere
            } catch (IOException e) {
                throw new StorageException("read of segment " + segment.path + " failed: " + e, e);
            }
        }
    }

    /** The most keys {@link #get(byte[][], int, byte[][])} takes at once. */
    public static final int MAX_BATCH = 256;

    /**
     * The values of {@code keys[0..n)} into {@code values[0..n)}, each null where its key is
     * missing, deleted or expired: what n calls of {@link #get(byte[])} give, but the keydir
     * lookups of the batch overlap their cache misses instead of waiting for one after another.
     * For reads of many keys at once (LRANGE, MGET); at most {@link #MAX_BATCH} keys a call.
     */
    public void get(byte[][] keys, int n, byte[][] values) {
        if (n > values.length) throw new IllegalArgumentException("a batch is 0 to " + MAX_BATCH + " keys within both arrays, got " + n);
        get(keys, n, new ValueSink() {
            @Override
            public void value(int i, byte[] from, int offset, int length) {
                values[i] = java.util.Arrays.copyOfRange(from, offset, offset + length);
            }

            @Override
            public void missing(int i) {
                values[i] = null;
            }
        });
    }

    /**
     * As {@link #get(byte[][], int, byte[][])}, but each value goes to {@code sink} as it is read,
     * in the keys' order, without an array of its own.
     */
    public void get(byte[][] keys, int n, ValueSink sink) {
        if (n < 0 || n > MAX_BATCH || n > keys.length) {
            throw new IllegalArgumentException("a batch is 0 to " + MAX_BATCH + " keys within both arrays, got " + n);
        }
        ensureOpen();
        ReadScratch scratch = ReadScratch.ofThisThread();
        long[] entries = scratch.entries;
        index.keyDir.getAll(keys, n, scratch.hashes, entries);
        long now = now();
        for (int i = 0; i < n; i++) {
            long id = entries[4 * i];
            long expiry = entries[4 * i + 3];
            if (id < 0 || (expiry != 0 && expiry <= now)) {
                sink.missing(i);
                continue;
            }
            int valueSize = (int) entries[4 * i + 2];
            Segment segment = index.segment((int) id);
            try {
                if (segment == null) {
                    singleInto(keys[i], i, sink); // retired since the lookup: the keydir already points elsewhere
                    continue;
                }
                ByteBuffer record = segment.checkedRecord(keys[i], entries[4 * i + 1], valueSize, expiry, scratch);
                int at = record.limit() - valueSize;
                if (record.hasArray()) {
                    sink.value(i, record.array(), record.arrayOffset() + at, valueSize);
                } else {
                    byte[] value = new byte[valueSize];
                    record.get(at, value);
                    sink.value(i, value, 0, valueSize);
                }
            } catch (ClosedChannelException | IllegalStateException e) {
                if (log.isClosed()) throw new IllegalStateException("database " + dir + " is closed");
                singleInto(keys[i], i, sink);
            } catch (IOException e) {
                throw new StorageException("read of segment " + segment.path + " failed: " + e, e);
            }
        }
    }

    private void singleInto(byte[] key, int i, ValueSink sink) {
        byte[] value = get(key);
        if (value == null) sink.missing(i);
        else sink.value(i, value, 0, value.length);
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
                return reader.read(segment.checkedRecord(key, entry), entry);
            } catch (ClosedChannelException | IllegalStateException e) {
                if (log.isClosed()) throw new IllegalStateException("database " + dir + " is closed");
                // the segment was retired (closed and unmapped) under us: the keydir already points elsewhere
            } catch (IOException e) {
                throw new StorageException("read of segment " + segment.path + " failed: " + e, e);
            }
        }
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
            if (n > 0) into.put(into.position(), record, record.limit() - entry.valueSize() + from, n).position(into.position() + n);
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
        options.checkKey(key);
        options.checkValue(value);
        if (expiryMillis < 0) throw new IllegalArgumentException("expiry must be >= 0, got " + expiryMillis);
        log.write(() -> appendPut(key, value, expiryMillis));
    }

    /** Appends a put and applies it to the keydir (the caller holds the write lock); returns the log position to force to, or -1. */
    private long appendPut(byte[] key, byte[] value, long expiryMillis) {
        log.ensureWritable();
        int length = RECORDS.putSize(key.length, value.length, expiryMillis);
        log.keepReserve(length);
        ByteBuffer buf = log.writeBuffer(length);
        RECORDS.encodePut(buf, now(), expiryMillis, key, value);
        Segment segment = log.segmentFor(length);
        long at = log.append(segment, buf.flip());
        KeyDirEntry old = index.applyPut(key, new KeyDirEntry(segment.id, at + length - value.length, value.length, expiryMillis), segment, length);
        if (old != null && old.expiry() != 0 && old.expiredAt(now())) index.expiredKeysRemoved.incrementAndGet(); // no clock read for keys that never expire
        return log.afterAppend(segment);
    }

    /** Deletes {@code key} with a tombstone; false (and nothing written) if it was not visible. */
    public boolean delete(byte[] key) {
        options.checkKey(key);
        boolean[] found = new boolean[1];
        log.write(() -> {
            log.ensureWritable();
            KeyDirEntry entry = index.keyDir.get(key);
            if (entry == null || entry.expiredAt(now())) return -1; // nothing written, nothing to wait for
            int length = RECORDS.tombstoneSize(key.length);
            ByteBuffer buf = log.writeBuffer(length);
            RECORDS.encodeTombstone(buf, now(), key);
            Segment segment = log.segmentFor(length);
            log.append(segment, buf.flip());
            index.applyDelete(key);
            found[0] = true;
            return log.afterAppend(segment);
        });
        return found[0];
    }

    /**
     * Applies every put and delete of {@code batch} atomically: they are written as one append
     * framed by a begin and a commit record, and recovery drops a batch whose commit is missing.
     * A batch of one operation is written as a plain record, which its CRC makes atomic.
     */
    public void write(WriteBatch batch) {
        log.awaitDurable(append(batch));
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
        int length = framed ? 2 * RECORDS.controlSize() : 0;
        for (WriteBatch.Op op : batch.ops()) {
            options.checkKey(op.key());
            if (op.isDelete()) {
                length += RECORDS.tombstoneSize(op.key().length);
            } else {
                options.checkValue(op.value());
                length += RECORDS.putSize(op.key().length, op.value().length, op.expiry());
            }
            if (length > RecordCodec.MAX_VALUE_SIZE) {
                throw new LimitExceededException("batch is larger than " + RecordCodec.MAX_VALUE_SIZE + " bytes; nothing was written");
            }
        }
        boolean onlyDeletes = batch.ops().stream().allMatch(WriteBatch.Op::isDelete);
        log.lock();
        try {
            log.ensureWritable();
            if (!onlyDeletes) log.keepReserve(length);
            long now = now();
            ByteBuffer buf = log.writeBuffer(length);
            if (framed) RECORDS.encodeControl(buf, now, RecordCodec.CONTROL_BATCH_BEGIN, batch.size());
            long[] ends = new long[batch.size()];
            int i = 0;
            for (WriteBatch.Op op : batch.ops()) {
                if (op.isDelete()) RECORDS.encodeTombstone(buf, now, op.key());
                else RECORDS.encodePut(buf, now, op.expiry(), op.key(), op.value());
                ends[i++] = buf.position();
            }
            if (framed) RECORDS.encodeControl(buf, now, RecordCodec.CONTROL_BATCH_COMMIT, batch.size());
            Segment segment = log.segmentFor(length);
            long at = log.append(segment, buf.flip());
            i = 0;
            for (WriteBatch.Op op : batch.ops()) {
                long recordEnd = at + ends[i++];
                KeyDirEntry old;
                if (op.isDelete()) {
                    old = index.applyDelete(op.key());
                } else {
                    KeyDirEntry entry = new KeyDirEntry(segment.id, recordEnd - op.value().length, op.value().length, op.expiry());
                    old = index.applyPut(op.key(), entry, segment, RECORDS.putSize(op.key().length, op.value().length, op.expiry()));
                }
                if (old != null && old.expiredAt(now)) index.expiredKeysRemoved.incrementAndGet();
            }
            return log.afterAppend(segment);
        } finally {
            log.writeLock().unlock();
        }
    }

    /**
     * Throws the {@link LimitExceededException} a put of this key and value would throw, without
     * writing: for a caller that gathers puts before writing them together.
     */
    public void checkPut(byte[] key, byte[] value) {
        options.checkKey(key);
        options.checkValue(value);
    }

    /** Forces everything written so far to disk, whatever the sync policy. */
    public void sync() {
        ensureOpen();
        log.sync();
    }

    /**
     * Keys removed since open because they had expired: dropped by a merge, or overwritten or
     * deleted after their time had passed. Each expired key is counted once, when it goes (INFO's
     * expired_keys).
     */
    public long expiredKeysRemoved() {
        return index.expiredKeysRemoved.get();
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

    /**
     * Visits every live key, in the order the keys were first written (as the log holds them at
     * open), so that keys written together come together. Weakly consistent with concurrent writes:
     * a key written or deleted meanwhile may be missed, and a key present throughout is visited,
     * exceptionally twice (when deletes compacted the keydir's key memory during the walk). Each
     * key is an array of its own; {@link #forEachKey(KeyBytesVisitor)} makes none.
     */
    public void forEachKey(Consumer<byte[]> visitor) {
        forEachKey((bytes, offset, length) -> visitor.accept(java.util.Arrays.copyOfRange(bytes, offset, offset + length)));
    }

    /**
     * As {@link #forEachKey(Consumer)}, each key handed over as a range of a buffer the walk reuses:
     * no array per key (a walk of ten million keys then makes no garbage). The range is valid only
     * during the call; copy what must be kept.
     */
    public void forEachKey(KeyBytesVisitor visitor) {
        ensureOpen();
        index.keyDir.forEachKey(now(), visitor);
    }

    /** A key of a walk, as {@code length} bytes of {@code bytes} from {@code offset}: valid only during the call. */
    @FunctionalInterface
    public interface KeyBytesVisitor {
        void visit(byte[] bytes, int offset, int length);
    }

    /** As {@link #forEachKey}, with each key's keydir entry (its expiry, value size), without a second lookup. */
    public void forEachEntry(java.util.function.BiConsumer<byte[], KeyDirEntry> visitor) {
        ensureOpen();
        long now = now();
        index.keyDir.forEach((key, entry) -> {
            if (!entry.expiredAt(now)) visitor.accept(key, entry);
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
        return merges.run(progress);
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
        return backup(dest, Progress.NONE);
    }

    /** As {@link #backup(Path)}, telling {@code progress} how many bytes of segments are linked or copied. */
    public BackupResult backup(Path dest, Progress progress) {
        ensureOpen();
        try {
            return merges.exclusive(() -> {
                Backup.Snapshot snapshot;
                log.writeLock().lock();
                try {
                    log.ensureWritable();
                    Segment current = log.active();
                    log.awaitDurableOrStop(current.endLsn());
                    List<Integer> sealed = new ArrayList<>();
                    List<Long> sizes = new ArrayList<>();
                    for (Segment s : index.segments()) {
                        if (s == current) continue;
                        sealed.add(s.id);
                        sizes.add(s.size);
                    }
                    snapshot = new Backup.Snapshot(sealed, sizes, current.id, current.size);
                } finally {
                    log.writeLock().unlock();
                }
                return Backup.write(files, dir, dest, snapshot, progress);
            });
        } catch (IOException e) {
            throw new StorageException("backup of " + dir + " to " + dest + " failed: " + e, e);
        }
    }

    /** Waits until background work queued so far (hint files, an automatic merge) is done. */
    public void awaitBackgroundWork() {
        background.drain();
    }

    /** Whether a merge of this handle is running now: one asked for, or the automatic one. */
    public boolean isMerging() {
        return merges.isRunning();
    }

    /** The last completed merge of this handle, or null. */
    public MergeResult lastMerge() {
        return merges.last();
    }

    /** Keydir slots held by segments (package-private: tests check that removed segments give theirs back). */
    int segmentSlotsInUse() {
        return index.keyDir.segmentSlotsInUse();
    }

    /** The last failure of a background task (hint writing, automatic merge), or null. */
    public String lastBackgroundError() {
        return lastBackgroundError;
    }

    private void mergeIfWorthIt() {
        merges.runIfWorthIt();
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

    /**
     * Keys, expired keys (a walk of the whole keydir, in slices that let writers in between; the
     * write lock is held only to read the per-segment byte counts), and bytes per segment.
     */
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
        long[] expired = countExpired ? index.expired(now()) : new long[2]; // outside the write lock: a walk must not stop the writers
        log.writeLock().lock();
        try {
            return index.stats(expired, log.active(), options.syncPolicy().toString(), recovery.foreignFiles());
        } finally {
            log.writeLock().unlock();
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

    /** Appends since open: each put, delete and batch is one (INFO's writes per force divides these by the forces). */
    public long appendCount() {
        return log.appendCount();
    }

    /** How many forces the engine has run through its group commit (for tests and benchmarks). */
    public long forceCount() {
        return log.forceCount();
    }

    /** Whether writes were stopped by a failed force; if so, {@link #put} throws until reopened. */
    public boolean writesStopped() {
        return log.failure() != null;
    }

    /** Forces what was written (unless writes were stopped by a failure), then closes every file and the lock. */
    @Override
    public void close() {
        if (log.isClosed()) return;
        log.stopSyncer();
        merges.close(); // no automatic merge starts; a running one finishes first
        background.stop();
        log.writeLock().lock();
        try {
            if (log.isClosed()) return;
            IOException failure = log.close(); // from here the database counts as closed; a clean one leaves the active segment's hint
            for (Segment s : index.segments()) closeQuietly(s::close);
            closeQuietly(lock);
            if (failure != null) {
                throw new StorageException("final force of " + log.active().path + " failed; recent writes may be lost: " + failure, failure);
            }
        } finally {
            log.writeLock().unlock();
        }
    }

    private void ensureOpen() {
        if (log.isClosed()) throw new IllegalStateException("database " + dir + " is closed");
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

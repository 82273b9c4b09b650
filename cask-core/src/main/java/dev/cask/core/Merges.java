package dev.cask.core;

import dev.cask.core.io.FileLayer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Runs a database's merges ({@link Merger} does one): one at a time, an automatic one when the
 * fragmentation thresholds are passed, none once a merge failed after its commit began (until the
 * database is reopened). A backup holds off merges while it copies; close waits for a running one.
 */
final class Merges implements Merger.Host {
    /** Work that holds off merges while it runs. */
    interface Exclusive<T> {
        T run() throws IOException;
    }

    private final Path dir;
    private final CaskOptions options;
    private final FileLayer files;
    private final Index index;
    private final ActiveLog log;
    private final Supplier<CaskStats> segmentStats;
    private final ReentrantLock running = new ReentrantLock();
    private volatile MergeResult last;
    /** A merge that failed after its commit began: no merge runs again until reopen (see Merger.Host). */
    private volatile Throwable failedLate;
    private volatile boolean closing;
    /** True while {@link #run} merges: the lock alone would also count a backup or close holding merges off. */
    private volatile boolean merging;

    /** {@code files}: the database's fail-stop layer; {@code segmentStats}: the database's byte counts, for the automatic merge's thresholds. */
    Merges(Path dir, CaskOptions options, FileLayer files, Index index, ActiveLog log, Supplier<CaskStats> segmentStats) {
        this.dir = dir;
        this.options = options;
        this.files = files;
        this.index = index;
        this.log = log;
        this.segmentStats = segmentStats;
    }

    MergeResult run(Progress progress) {
        log.ensureWritable();
        if (!running.tryLock()) throw new MergeInProgressException("a merge of " + dir + " is already running");
        try {
            log.ensureWritable();
            Throwable late = failedLate;
            if (late != null) {
                throw new StorageException("an earlier merge failed after its commit began (" + late + "); its files are consistent on"
                        + " disk, but merging stays stopped until the database is reopened, whose recovery settles them", late);
            }
            merging = true;
            MergeResult result = new Merger(this, dir, files, options, progress).run();
            last = result;
            return result;
        } catch (IOException e) {
            throw new StorageException("merge of " + dir + " failed: " + e + "; the old segments are untouched", e);
        } finally {
            merging = false;
            running.unlock();
        }
    }

    /** Whether a merge, asked for or automatic, is running now. */
    boolean isRunning() {
        return merging;
    }

    /** The automatic merge: runs one if dead bytes pass both thresholds (and no merge is running). */
    void runIfWorthIt() {
        if (closing || log.failure() != null || failedLate != null) return;
        CaskStats now = segmentStats.get(); // per-segment figures only: no walk of the keydir
        long all = now.liveBytes() + now.deadBytes();
        long dead = now.deadBytes();
        if (!worthIt(dead, all)) {
            // expired keys count as dead: walk the keydir for them only if they could tip it (after every rotation, this
            // walked the whole keydir even with no expiring key at all)
            if (!worthIt(dead + index.bytesWithExpiry(), all)) return;
            dead += index.expired(options.clock().millis())[1];
            if (!worthIt(dead, all)) return;
        }
        try {
            run(Progress.NONE);
        } catch (MergeInProgressException ignored) {
            // someone else is merging already
        }
    }

    private boolean worthIt(long dead, long all) {
        return all > 0 && dead >= options.mergeMinDeadBytes() && (double) dead / all >= options.mergeFragmentation();
    }

    /** Runs {@code work} with no merge running meanwhile. */
    <T> T exclusive(Exclusive<T> work) throws IOException {
        running.lock();
        try {
            return work.run();
        } finally {
            running.unlock();
        }
    }

    /** No automatic merge starts from now on, and a running merge finishes (or gives up) before this returns. */
    @SuppressWarnings("LockNotBeforeTry") // a barrier: the lock is taken only to wait for a running merge, and nothing runs under it
    void close() {
        closing = true;
        running.lock();
        running.unlock();
    }

    MergeResult last() {
        return last;
    }

    @Override
    public ReentrantLock writeLock() {
        return log.writeLock();
    }

    @Override
    public Index index() {
        return index;
    }

    @Override
    public int rotateForMerge(int reserve) {
        return log.rotateForMerge(reserve);
    }

    @Override
    public long now() {
        return options.clock().millis();
    }

    @Override
    public boolean stopped() {
        return log.failure() != null;
    }

    @Override
    public void failedAfterCommitBegan(Throwable failure) {
        if (LabDefects.on(LabDefects.Defect.MERGING_GOES_ON_AFTER_A_LATE_FAILURE)) return;
        failedLate = failure;
    }
}

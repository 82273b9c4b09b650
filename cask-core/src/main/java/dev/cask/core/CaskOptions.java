package dev.cask.core;

import dev.cask.core.io.FileLayer;
import java.time.Clock;
import java.util.Objects;

/**
 * How a database is opened. Start from {@link #defaults()} and change what you need:
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><td>maxFileSize</td><td>2 GiB</td><td>a segment is closed once the next record would pass this
 *       (64 bytes .. 2 GiB; a record larger than it gets a segment of its own)</td></tr>
 *   <tr><td>syncPolicy</td><td>{@code none}</td><td>see {@link SyncPolicy}</td></tr>
 *   <tr><td>maxKeySize</td><td>1 KiB</td><td>1 .. 65,535 bytes</td></tr>
 *   <tr><td>maxValueSize</td><td>64 MiB</td><td>0 .. 1 GiB</td></tr>
 *   <tr><td>useHints</td><td>true</td><td>open sealed segments from their hint files (false: always scan)</td></tr>
 *   <tr><td>autoMerge</td><td>true</td><td>merge in the background when both thresholds below are passed</td></tr>
 *   <tr><td>mergeFragmentation</td><td>0.5</td><td>dead (overwritten, deleted or expired) bytes / all bytes</td></tr>
 *   <tr><td>mergeMinDeadBytes</td><td>256 MiB</td><td>and at least this many dead bytes</td></tr>
 *   <tr><td>fileLayer</td><td>the real file system</td><td>tests and labs intercept here</td></tr>
 *   <tr><td>clock</td><td>system UTC</td><td>timestamps and expiry</td></tr>
 *   <tr><td>reservedBytes</td><td>64 MiB</td><td>puts are refused ({@link NoSpaceException}) once the disk has less free
 *       than this, so that deletes and a merge (whose output must fit) can still run on a full disk; 0 = no reserve</td></tr>
 *   <tr><td>prepareAhead</td><td>8 MiB</td><td>how far past its end the active segment is grown and read in ahead of
 *       the writes (0 .. 1 GiB; 0: never)</td></tr>
 *   <tr><td>warmTail</td><td>true</td><td>a thread reads the grown space into the page cache before the writer
 *       reaches it (see {@link #withWarmTail})</td></tr>
 *   <tr><td>recoveryMode</td><td>{@link RecoveryMode#TOLERATE_TORN_TAIL}</td><td>what open does with damage in the middle of a log</td></tr>
 * </table>
 */
public record CaskOptions(
        long maxFileSize, SyncPolicy syncPolicy, int maxKeySize, int maxValueSize, boolean useHints,
        boolean autoMerge, double mergeFragmentation, long mergeMinDeadBytes, FileLayer fileLayer, Clock clock,
        RecoveryMode recoveryMode, long reservedBytes, long prepareAhead, boolean warmTail) {

    public static final long MIN_FILE_SIZE = 64;
    public static final long MAX_FILE_SIZE = 2L << 30;
    public static final int DEFAULT_MAX_KEY_SIZE = 1024;
    public static final int DEFAULT_MAX_VALUE_SIZE = 64 << 20;
    public static final double DEFAULT_MERGE_FRAGMENTATION = 0.5;
    public static final long DEFAULT_MERGE_MIN_DEAD_BYTES = 256L << 20;
    public static final long DEFAULT_RESERVED_BYTES = 64L << 20;
    public static final long DEFAULT_PREPARE_AHEAD = 8L << 20;

    public CaskOptions {
        Objects.requireNonNull(syncPolicy, "syncPolicy");
        Objects.requireNonNull(fileLayer, "fileLayer");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(recoveryMode, "recoveryMode");
        if (prepareAhead < 0 || prepareAhead > 1L << 30) throw new IllegalArgumentException("prepareAhead must be 0 .. 1 GiB, got " + prepareAhead);
        if (reservedBytes < 0) throw new IllegalArgumentException("reservedBytes must be >= 0, got " + reservedBytes);
        if (maxFileSize < MIN_FILE_SIZE || maxFileSize > MAX_FILE_SIZE) {
            throw new IllegalArgumentException("maxFileSize must be " + MIN_FILE_SIZE + " .. " + MAX_FILE_SIZE + " bytes, got " + maxFileSize);
        }
        if (maxKeySize < 1 || maxKeySize > RecordCodec.MAX_KEY_SIZE) {
            throw new IllegalArgumentException("maxKeySize must be 1 .. " + RecordCodec.MAX_KEY_SIZE + " bytes, got " + maxKeySize);
        }
        if (maxValueSize < 0 || maxValueSize > RecordCodec.MAX_VALUE_SIZE) {
            throw new IllegalArgumentException("maxValueSize must be 0 .. " + RecordCodec.MAX_VALUE_SIZE + " bytes, got " + maxValueSize);
        }
        if (!(mergeFragmentation >= 0 && mergeFragmentation <= 1)) {
            throw new IllegalArgumentException("mergeFragmentation must be 0 .. 1, got " + mergeFragmentation);
        }
        if (mergeMinDeadBytes < 0) throw new IllegalArgumentException("mergeMinDeadBytes must be >= 0, got " + mergeMinDeadBytes);
    }

    public static CaskOptions defaults() {
        return new CaskOptions(MAX_FILE_SIZE, SyncPolicy.NONE, DEFAULT_MAX_KEY_SIZE, DEFAULT_MAX_VALUE_SIZE, true,
                true, DEFAULT_MERGE_FRAGMENTATION, DEFAULT_MERGE_MIN_DEAD_BYTES, FileLayer.real(), Clock.systemUTC(),
                RecoveryMode.TOLERATE_TORN_TAIL, DEFAULT_RESERVED_BYTES, DEFAULT_PREPARE_AHEAD, true);
    }

    public CaskOptions withMaxFileSize(long bytes) {
        return new CaskOptions(bytes, syncPolicy, maxKeySize, maxValueSize, useHints, autoMerge, mergeFragmentation, mergeMinDeadBytes, fileLayer, clock, recoveryMode, reservedBytes, prepareAhead, warmTail);
    }

    public CaskOptions withSyncPolicy(SyncPolicy policy) {
        return new CaskOptions(maxFileSize, policy, maxKeySize, maxValueSize, useHints, autoMerge, mergeFragmentation, mergeMinDeadBytes, fileLayer, clock, recoveryMode, reservedBytes, prepareAhead, warmTail);
    }

    public CaskOptions withMaxKeySize(int bytes) {
        return new CaskOptions(maxFileSize, syncPolicy, bytes, maxValueSize, useHints, autoMerge, mergeFragmentation, mergeMinDeadBytes, fileLayer, clock, recoveryMode, reservedBytes, prepareAhead, warmTail);
    }

    public CaskOptions withMaxValueSize(int bytes) {
        return new CaskOptions(maxFileSize, syncPolicy, maxKeySize, bytes, useHints, autoMerge, mergeFragmentation, mergeMinDeadBytes, fileLayer, clock, recoveryMode, reservedBytes, prepareAhead, warmTail);
    }

    public CaskOptions withUseHints(boolean use) {
        return new CaskOptions(maxFileSize, syncPolicy, maxKeySize, maxValueSize, use, autoMerge, mergeFragmentation, mergeMinDeadBytes, fileLayer, clock, recoveryMode, reservedBytes, prepareAhead, warmTail);
    }

    /** Automatic merges: on when both thresholds are passed, checked whenever a segment is closed. */
    public CaskOptions withAutoMerge(boolean enabled, double fragmentation, long minDeadBytes) {
        return new CaskOptions(maxFileSize, syncPolicy, maxKeySize, maxValueSize, useHints, enabled, fragmentation, minDeadBytes, fileLayer, clock, recoveryMode, reservedBytes, prepareAhead, warmTail);
    }

    public CaskOptions withFileLayer(FileLayer layer) {
        return new CaskOptions(maxFileSize, syncPolicy, maxKeySize, maxValueSize, useHints, autoMerge, mergeFragmentation, mergeMinDeadBytes, layer, clock, recoveryMode, reservedBytes, prepareAhead, warmTail);
    }

    public CaskOptions withClock(Clock newClock) {
        return new CaskOptions(maxFileSize, syncPolicy, maxKeySize, maxValueSize, useHints, autoMerge, mergeFragmentation, mergeMinDeadBytes, fileLayer, newClock, recoveryMode, reservedBytes, prepareAhead, warmTail);
    }

    /** What open does when it finds damage that is not a torn tail; see {@link RecoveryMode}. */
    public CaskOptions withRecoveryMode(RecoveryMode mode) {
        return new CaskOptions(maxFileSize, syncPolicy, maxKeySize, maxValueSize, useHints, autoMerge, mergeFragmentation, mergeMinDeadBytes, fileLayer, clock, mode, reservedBytes, prepareAhead, warmTail);
    }

    /**
     * How far past its last record the active segment's file is grown and read into the page
     * cache ahead of the writes, so that appends land in cached pages (grown again once half is
     * used; 0: never). Bounded by maxFileSize.
     */
    public CaskOptions withPrepareAhead(long bytes) {
        return new CaskOptions(maxFileSize, syncPolicy, maxKeySize, maxValueSize, useHints, autoMerge, mergeFragmentation, mergeMinDeadBytes, fileLayer, clock, recoveryMode, reservedBytes, bytes, warmTail);
    }

    /**
     * Whether a thread of its own reads the active segment's grown space into the page cache
     * before the writer reaches it, so that an append copies into a cached page instead of having
     * the kernel allocate one (whose first touch on a VM can cost 10 to 20 µs). That hides the
     * allocation from the writer's latency but does not remove it: the reading costs about 2 µs
     * of CPU a page on the other thread, so it pays where a core is spare and costs throughput
     * where the cores are busy (the server, whose clients share the machine, turns it off). Only
     * with {@code prepareAhead} above 0.
     */
    public CaskOptions withWarmTail(boolean warm) {
        return new CaskOptions(maxFileSize, syncPolicy, maxKeySize, maxValueSize, useHints, autoMerge, mergeFragmentation, mergeMinDeadBytes, fileLayer, clock, recoveryMode, reservedBytes, prepareAhead, warm);
    }

    /** Free disk space kept for deletes and merges: puts are refused once less than this is left. */
    public CaskOptions withReservedBytes(long bytes) {
        return new CaskOptions(maxFileSize, syncPolicy, maxKeySize, maxValueSize, useHints, autoMerge, mergeFragmentation, mergeMinDeadBytes, fileLayer, clock, recoveryMode, bytes, prepareAhead, warmTail);
    }

    /** Refuses a key the format or this database's limit cannot take, before anything is written. */
    void checkKey(byte[] key) {
        if (key.length == 0) throw new LimitExceededException("key is empty; keys are 1 .. " + maxKeySize + " bytes");
        if (key.length > maxKeySize) {
            throw new LimitExceededException("key of " + key.length + " bytes is over the limit of " + maxKeySize
                    + " bytes (maxKeySize); nothing was written");
        }
    }

    /** Refuses a value over this database's limit, before anything is written. */
    void checkValue(byte[] value) {
        if (value.length > maxValueSize) {
            throw new LimitExceededException("value of " + value.length + " bytes is over the limit of " + maxValueSize
                    + " bytes (maxValueSize); nothing was written");
        }
    }
}

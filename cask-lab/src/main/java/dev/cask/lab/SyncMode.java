package dev.cask.lab;

import java.util.Locale;

/**
 * The raw ways of writing records that the fsync table compares. Each says which system calls it
 * makes and when it considers a record durable (acknowledges it).
 */
public enum SyncMode {
    NO_FSYNC("no fsync", 0, false, false, false),
    FSYNC_EACH("fsync per record", 1, true, false, false),
    FSYNC_10("fsync per 10 records", 10, true, false, false),
    FSYNC_100("fsync per 100 records", 100, true, false, false),
    O_SYNC("O_SYNC", 0, false, true, false),
    FDATASYNC_EACH("fdatasync per record", 1, false, false, false),
    O_DSYNC("O_DSYNC", 0, false, false, true),
    FDATASYNC_PREALLOCATED("fdatasync per record, preallocated and already-written file", 1, false, false, false),
    /** Not a row of the table: a writer that buffers in user space, to prove the kill harness can see loss. */
    USER_BUFFERED("user-space buffered, no fsync (deliberately unsafe)", 0, false, false, false);

    public final String label;
    /** Force after every this many records; 0 = never. */
    public final int forceEvery;
    /** fsync (true) or fdatasync (false) when forcing. */
    public final boolean fsync;
    public final boolean openSync;
    public final boolean openDsync;

    SyncMode(String label, int forceEvery, boolean fsync, boolean openSync, boolean openDsync) {
        this.label = label;
        this.forceEvery = forceEvery;
        this.fsync = fsync;
        this.openSync = openSync;
        this.openDsync = openDsync;
    }

    /** The six rows every fsync table has, then the rows nobody else shows side by side. */
    public static final java.util.List<SyncMode> TABLE = java.util.List.of(NO_FSYNC, FSYNC_EACH, FSYNC_10, FSYNC_100, O_SYNC, FDATASYNC_EACH, O_DSYNC,
            FDATASYNC_PREALLOCATED);

    public boolean preallocated() {
        return this == FDATASYNC_PREALLOCATED;
    }

    /** Whether an acknowledged record is durable at once (a power cut loses none of them). */
    public boolean durableOnAck() {
        return forceEvery == 1 || openSync || openDsync;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}

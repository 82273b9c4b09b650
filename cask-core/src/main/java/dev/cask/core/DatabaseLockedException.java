package dev.cask.core;

/** Another process (or another handle in this one) has the database open for writing. */
public final class DatabaseLockedException extends CaskException {
    private final long holderPid;

    public DatabaseLockedException(String message, long holderPid) {
        super(message);
        this.holderPid = holderPid;
    }

    /** The pid written by the holder, or -1 if it wrote none. */
    public long holderPid() {
        return holderPid;
    }
}

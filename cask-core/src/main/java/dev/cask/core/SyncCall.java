package dev.cask.core;

/** Which system call makes a segment durable. */
public enum SyncCall {
    /** {@code fsync}: data and all metadata. */
    FSYNC,
    /** {@code fdatasync}: data and the metadata needed to read it back (such as the size). */
    FDATASYNC;

    boolean metadata() {
        return this == FSYNC;
    }
}

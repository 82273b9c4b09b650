package dev.cask.core.io;

/** How a {@link DataFile} is opened. */
public enum OpenMode {
    /** Read only; the file must exist. */
    READ,
    /** Read and write, created if missing. */
    WRITE,
    /** Read and write with {@code O_SYNC}: each write returns once data and metadata are durable. */
    WRITE_SYNC,
    /** Read and write with {@code O_DSYNC}: each write returns once the data is durable. */
    WRITE_DSYNC;

    public boolean writable() {
        return this != READ;
    }
}

package dev.cask.core;

/**
 * A {@code force} (or a write that had to be durable) failed earlier. After such a failure the
 * kernel may have dropped the dirty pages and will not report it again, so this database
 * refuses every further write until it is closed and reopened from what is really on disk.
 */
public final class WritesStoppedException extends CaskException {
    public WritesStoppedException(String message, Throwable cause) {
        super(message, cause);
    }
}

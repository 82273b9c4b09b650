package dev.cask.core;

import java.io.IOException;

/**
 * The disk is full, or so nearly full that puts are refused to keep the reserve that deletes and
 * merges need (see {@link CaskOptions#reservedBytes()}). Nothing of the refused write was written;
 * the database stays open: delete keys and merge, or free space elsewhere, and writes work again.
 * The server answers it as an error reply and the filesystem as ENOSPC.
 */
public final class NoSpaceException extends StorageException {
    public NoSpaceException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Whether {@code e} is the file system's "no space" (ENOSPC, or EDQUOT for a quota). Java reports
     * both as a plain IOException with the C library's text, so the text is all there is to go on;
     * this is the one place that reads it.
     */
    public static boolean isNoSpace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (t instanceof NoSpaceException || (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded")))) {
                return true;
            }
        }
        return false;
    }
}

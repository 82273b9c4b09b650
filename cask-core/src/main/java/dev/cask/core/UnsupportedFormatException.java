package dev.cask.core;

import java.nio.file.Path;

/**
 * A file's header names a format version this code does not read (a newer Cask wrote it), or the
 * other kind of file: the database is refused whole, and nothing in it is changed.
 */
public final class UnsupportedFormatException extends CaskException {
    private final Path file;
    private final int version;

    public UnsupportedFormatException(String message, Path file, int version) {
        super(message);
        this.file = file;
        this.version = version;
    }

    public Path file() {
        return file;
    }

    /** The version the header names, or -1 if the file is of the wrong kind. */
    public int version() {
        return version;
    }
}

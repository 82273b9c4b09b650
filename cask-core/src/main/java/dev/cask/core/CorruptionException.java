package dev.cask.core;

import java.nio.file.Path;

/** A record on disk failed its checks: the engine refuses to return or trust it. */
public final class CorruptionException extends CaskException {
    private final Path file;
    private final long offset;

    public CorruptionException(String message, Path file, long offset) {
        super(message);
        this.file = file;
        this.offset = offset;
    }

    public Path file() {
        return file;
    }

    public long offset() {
        return offset;
    }
}

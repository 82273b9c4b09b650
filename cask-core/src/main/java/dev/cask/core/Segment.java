package dev.cask.core;

import dev.cask.core.io.DataFile;
import java.nio.file.Path;

/** One data file of a database, and what the engine knows about it. */
final class Segment {
    final int id;
    final Path path;
    final DataFile file;
    /** Bytes written to the file and kept; records never extend past it. */
    volatile long size;
    /** Bytes of records that are still the newest version of a key (guarded by the write lock). */
    long liveBytes;

    Segment(int id, Path path, DataFile file, long size) {
        this.id = id;
        this.path = path;
        this.file = file;
        this.size = size;
    }

    /** A position in the log that only grows: segment id, then offset inside it. */
    static long lsn(int segmentId, long offset) {
        return ((long) segmentId << 32) | offset;
    }

    long endLsn() {
        return lsn(id, size);
    }
}

package dev.cask.fs;

import java.util.HashMap;
import java.util.Map;

/** The file handles the kernel holds: which inode each opens, with which flags. */
final class OpenFiles {
    private static final int O_APPEND = 02000;

    private record OpenFile(long ino, int flags) {}

    private final Map<Long, OpenFile> handles = new HashMap<>();
    private long nextHandle = 1;

    /** A new handle on {@code n}, which counts it as open. */
    long open(Inode n, int flags) {
        long fh = nextHandle++;
        handles.put(fh, new OpenFile(n.ino, flags));
        n.openCount++;
        return fh;
    }

    /** Whether handle {@code fh} was opened with O_APPEND (false for an unknown handle). */
    boolean appends(long fh) {
        OpenFile f = handles.get(fh);
        return f != null && (f.flags & O_APPEND) != 0;
    }

    /** Forgets handle {@code fh}; returns the inode number it opened, or 0 if there was no such handle. */
    long release(long fh) {
        OpenFile f = handles.remove(fh);
        return f == null ? 0 : f.ino;
    }
}

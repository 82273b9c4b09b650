package dev.cask.fs.fuse;

/**
 * A setattr request: {@code valid} holds the {@code FUSE_SET_ATTR_*} bits of the fields to change.
 * Times are nanoseconds since the epoch; the *_NOW bits mean "the current time" instead.
 */
public record SetAttr(int valid, int mode, int uid, int gid, long size, long atimeNanos, long mtimeNanos) {
    public static final int MODE = 1;
    public static final int UID = 1 << 1;
    public static final int GID = 1 << 2;
    public static final int SIZE = 1 << 3;
    public static final int ATIME = 1 << 4;
    public static final int MTIME = 1 << 5;
    public static final int ATIME_NOW = 1 << 7;
    public static final int MTIME_NOW = 1 << 8;

    public boolean has(int bit) {
        return (valid & bit) != 0;
    }
}

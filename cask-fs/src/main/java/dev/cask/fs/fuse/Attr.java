package dev.cask.fs.fuse;

/** What {@code stat} shows of an inode. Times are nanoseconds since the epoch. */
public record Attr(long ino, int mode, long nlink, int uid, int gid, long rdev, long size, long blocks,
                   long atimeNanos, long mtimeNanos, long ctimeNanos) {
}

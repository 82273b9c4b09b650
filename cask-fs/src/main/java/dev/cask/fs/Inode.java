package dev.cask.fs;

import dev.cask.fs.fuse.Attr;

/**
 * One inode as the filesystem holds it in memory. The persistent fields are what
 * {@link InodeCodec} stores; the rest lives only while mounted: how many kernel references
 * ({@code lookups}) and open handles it has, and, for a directory, its entries.
 */
final class Inode {
    static final int S_IFMT = 0170000;
    static final int S_IFDIR = 0040000;
    static final int S_IFREG = 0100000;
    static final int S_IFLNK = 0120000;
    static final int S_ISGID = 02000;

    final long ino;
    int mode;
    int uid;
    int gid;
    int nlink;
    long size;
    long rdev;
    long atime;
    long mtime;
    long ctime;
    /** The target of a symbolic link, else null. */
    byte[] target;

    /** For a regular file: 512-byte blocks the store holds for its chunks (counted at load, kept since). */
    long blocks;
    long lookups;
    int openCount;
    /** Gone from the store (no links, nothing open); kept only until the kernel forgets it. */
    boolean deleted;
    /** For a directory: its entries; else null. */
    Directory directory;

    Inode(long ino, int mode, int uid, int gid, long now) {
        this.ino = ino;
        this.mode = mode;
        this.uid = uid;
        this.gid = gid;
        this.atime = now;
        this.mtime = now;
        this.ctime = now;
    }

    boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    boolean isRegular() {
        return (mode & S_IFMT) == S_IFREG;
    }

    boolean isSymlink() {
        return (mode & S_IFMT) == S_IFLNK;
    }

    /** A copy of the persistent fields, to change and write before the change is applied here. */
    Inode copy() {
        Inode c = new Inode(ino, mode, uid, gid, 0);
        c.apply(this);
        return c;
    }

    /** Takes the persistent fields of {@code written}, once the store has them. */
    void apply(Inode written) {
        mode = written.mode;
        uid = written.uid;
        gid = written.gid;
        nlink = written.nlink;
        size = written.size;
        rdev = written.rdev;
        atime = written.atime;
        mtime = written.mtime;
        ctime = written.ctime;
        target = written.target;
    }

    Attr attr() {
        long shownBlocks = isDirectory() ? 8 : isRegular() ? blocks : 0;
        long shownSize = isDirectory() ? 4096 : size;
        return new Attr(ino, mode, nlink, uid, gid, rdev, shownSize, shownBlocks, atime, mtime, ctime);
    }
}

package dev.cask.fs;

import dev.cask.fs.fuse.Errno;
import java.util.HashMap;
import java.util.Map;

/**
 * Every inode the mount knows, by number, and the next free number: the lookups an operation
 * starts with (an inode, a directory, a named child), each failing with the errno POSIX names.
 * An inode leaves the table once it has no link, no kernel reference and no open handle.
 */
final class InodeTable {
    private final Map<Long, Inode> inodes = new HashMap<>();
    /** The number the next created inode gets; numbers are never reused. */
    long nextIno;

    InodeTable(Map<Long, Inode> loaded, long nextIno) {
        inodes.putAll(loaded);
        this.nextIno = nextIno;
    }

    /** The inode, or null if there is none (a kernel reference to one already forgotten). */
    Inode find(long ino) {
        return inodes.get(ino);
    }

    Inode inode(long ino) {
        Inode n = inodes.get(ino);
        if (n == null) throw new Errno(Errno.ENOENT, "no inode " + ino);
        return n;
    }

    Inode dir(long ino) {
        Inode n = inode(ino);
        if (n.directory == null) throw new Errno(Errno.ENOTDIR, "inode " + ino + " is not a directory");
        return n;
    }

    Inode child(Inode parent, byte[] name) {
        long ino = parent.directory.get(name);
        if (ino == 0) throw new Errno(Errno.ENOENT, "no entry");
        return inodes.get(ino);
    }

    void add(Inode n) {
        inodes.put(n.ino, n);
    }

    void remove(long ino) {
        inodes.remove(ino);
    }

    Iterable<Inode> all() {
        return inodes.values();
    }

    int size() {
        return inodes.size();
    }

    /** Whether {@code ino} is {@code ancestor} or lies below it: a directory cannot move there. */
    boolean isSelfOrAncestor(long ancestor, long ino) {
        for (long at = ino; ; ) {
            if (at == ancestor) return true;
            if (at == CaskFileSystem.ROOT) return false;
            Inode n = inodes.get(at);
            if (n == null || n.directory == null) return false;
            at = n.directory.parent;
        }
    }

    /** Forgets {@code n} once nothing refers to it: no link, no kernel reference, no open handle. */
    void dropIfUnused(Inode n) {
        if (n.nlink == 0 && n.lookups == 0 && n.openCount == 0 && n.ino != CaskFileSystem.ROOT) inodes.remove(n.ino);
    }
}

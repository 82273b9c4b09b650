package dev.cask.fs;

import dev.cask.fs.fuse.Errno;
import dev.cask.fs.fuse.LowLevelFileSystem;

/**
 * rename(2) and renameat2(2)'s RENAME_NOREPLACE and RENAME_EXCHANGE: POSIX's rules for what may
 * move where, then one batch for both entries, both parents, the moved inode and a replaced one.
 */
final class Rename {
    private final FsStore store;
    private final InodeTable inodes;
    private final InodeReaper reaper;

    Rename(FsStore store, InodeTable inodes, InodeReaper reaper) {
        this.store = store;
        this.inodes = inodes;
        this.reaper = reaper;
    }

    void rename(long parent, byte[] name, long newParent, byte[] newName, int flags) {
        if ((flags & ~(LowLevelFileSystem.RENAME_NOREPLACE | LowLevelFileSystem.RENAME_EXCHANGE)) != 0 || flags == (LowLevelFileSystem.RENAME_NOREPLACE | LowLevelFileSystem.RENAME_EXCHANGE)) {
            throw new Errno(Errno.EINVAL, "rename flags " + flags);
        }
        Inode p = inodes.dir(parent);
        Inode q = inodes.dir(newParent);
        Inode src = inodes.child(p, name);
        long dstIno = q.directory.get(newName);
        Inode dst = dstIno == 0 ? null : inodes.find(dstIno);
        if ((flags & LowLevelFileSystem.RENAME_EXCHANGE) != 0) {
            if (dst == null) throw new Errno(Errno.ENOENT, "exchange with a missing entry");
            exchange(p, name, src, q, newName, dst);
            return;
        }
        if (dst != null && (flags & LowLevelFileSystem.RENAME_NOREPLACE) != 0) throw new Errno(Errno.EEXIST, "target exists");
        if (dst == src) return; // two links to one inode: POSIX says do nothing
        if (src.isDirectory()) {
            if (inodes.isSelfOrAncestor(src.ino, newParent)) throw new Errno(Errno.EINVAL, "a directory cannot move into itself");
            if (dst != null && !dst.isDirectory()) throw new Errno(Errno.ENOTDIR, "target is not a directory");
            if (dst != null && !dst.directory.isEmpty()) throw new Errno(Errno.ENOTEMPTY, "target directory not empty");
            if (dst == null && parent != newParent && q.nlink >= CaskFileSystem.LINK_MAX) throw new Errno(Errno.EMLINK, "target has too many subdirectories");
        } else if (dst != null && dst.isDirectory()) {
            throw new Errno(Errno.EISDIR, "target is a directory");
        }
        long now = store.now();
        TreeChange c = new TreeChange();
        c.batch.delete(FsKeys.entry(parent, name));
        c.batch.put(FsKeys.entry(newParent, newName), FsKeys.longValue(src.ino));
        Inode pw = c.touchDirectory(p, now);
        Inode qw = c.touchDirectory(q, now); // the same copy when the parents are one directory
        c.touch(src).ctime = now;
        if (src.isDirectory() && parent != newParent) {
            pw.nlink--;
            qw.nlink++;
        }
        if (dst != null) {
            Inode dw = c.touchUnrecorded(dst);
            dw.ctime = now;
            if (dst.isDirectory()) {
                qw.nlink--;
                dw.nlink = 0;
                c.batch.delete(FsKeys.inode(dst.ino));
            } else {
                dw.nlink--;
                reaper.dropLink(c.batch, dst, dw);
            }
        }
        c.commit(store::write);
        p.directory.remove(name);
        q.directory.put(newName, src.ino);
        if (src.directory != null) src.directory.parent = newParent;
        if (dst != null) {
            if (dst.isDirectory()) {
                dst.deleted = true;
                inodes.dropIfUnused(dst);
            } else {
                reaper.afterDrop(dst);
            }
        }
    }

    private void exchange(Inode p, byte[] name, Inode src, Inode q, byte[] newName, Inode dst) {
        if (src.isDirectory() && inodes.isSelfOrAncestor(src.ino, q.ino)) throw new Errno(Errno.EINVAL, "a directory cannot move into itself");
        if (dst.isDirectory() && inodes.isSelfOrAncestor(dst.ino, p.ino)) throw new Errno(Errno.EINVAL, "a directory cannot move into itself");
        long now = store.now();
        TreeChange c = new TreeChange();
        Inode pw = c.touchDirectory(p, now);
        Inode qw = c.touchDirectory(q, now); // the same copy when p is q
        if (p != q && src.isDirectory() != dst.isDirectory()) {
            int d = src.isDirectory() ? 1 : -1; // a directory moves from p to q
            pw.nlink -= d;
            qw.nlink += d;
        }
        c.touch(src).ctime = now;
        c.touch(dst).ctime = now;
        c.batch.put(FsKeys.entry(p.ino, name), FsKeys.longValue(dst.ino)).put(FsKeys.entry(q.ino, newName), FsKeys.longValue(src.ino));
        c.commit(store::write);
        p.directory.put(name, dst.ino);
        q.directory.put(newName, src.ino);
        if (src.directory != null) src.directory.parent = q.ino;
        if (dst.directory != null) dst.directory.parent = p.ino;
    }
}

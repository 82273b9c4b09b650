package dev.cask.fs;

import dev.cask.core.Cask;
import dev.cask.core.CaskException;
import dev.cask.core.LimitExceededException;
import dev.cask.core.WriteBatch;
import dev.cask.fs.fuse.Attr;
import dev.cask.fs.fuse.Caller;
import dev.cask.fs.fuse.DirSink;
import dev.cask.fs.fuse.Errno;
import dev.cask.fs.fuse.LowLevelFileSystem;
import dev.cask.fs.fuse.SetAttr;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A POSIX filesystem whose inodes, directory entries and file contents are records in a Cask
 * database ({@link FsKeys}). Every change that touches several records is one atomic
 * {@link WriteBatch}, so a crash leaves either all of it or none. Metadata is also held in memory
 * (all inodes and directories, loaded at mount); file contents stay on disk in
 * {@link #CHUNK_SIZE} chunks.
 *
 * <p>Each operation checks, then writes its batch, and only then changes the in-memory state, so
 * a failed write (a full disk, a failed force) leaves both as they were. Called from one thread
 * only (the FUSE loop): nothing here is locked.
 */
public final class CaskFileSystem implements LowLevelFileSystem {
    public static final int CHUNK_SIZE = FileChunks.SIZE;
    public static final long ROOT = 1;
    static final int NAME_MAX = 255;
    /** ext4's limit. */
    static final int LINK_MAX = 65_000;
    /** 2^46 bytes: chunk indices stay far from overflow; larger files get EFBIG. */
    static final long MAX_FILE_SIZE = 1L << 46;
    private static final long DAY_NANOS = 86_400L * 1_000_000_000L;

    private static final int O_ACCMODE = 3;
    private static final int O_RDONLY = 0;
    private static final int O_TRUNC = 01000;
    private static final int O_APPEND = 02000;

    private final Cask cask;
    private final FileChunks chunks;
    private final Consumer<String> log;
    private final Map<Long, Inode> inodes = new HashMap<>();
    private final Map<Long, OpenFile> handles = new HashMap<>();
    private long nextIno;
    private long nextHandle = 1;
    /** The kernel's writeback cache is on: it computes O_APPEND offsets itself and may write through any handle. */
    private boolean writeback;

    private record OpenFile(long ino, int flags) {
    }

    /** Asked for at init; off by default because the kernel then keeps timestamps and un-synced writes itself. */
    private final boolean askWriteback;

    private CaskFileSystem(Cask cask, boolean askWriteback, Consumer<String> log) {
        this.cask = cask;
        this.chunks = new FileChunks(cask);
        this.askWriteback = askWriteback;
        this.log = log;
    }

    /**
     * Loads the filesystem stored in {@code cask}, creating an empty one (root owned by
     * {@code rootUid}/{@code rootGid}) if there is none, and frees the inodes a crash left orphaned.
     */
    public static CaskFileSystem load(Cask cask, int rootUid, int rootGid, Consumer<String> log) {
        return load(cask, rootUid, rootGid, false, log);
    }

    /**
     * As {@link #load(Cask, int, int, Consumer)}; {@code writebackCache} asks the kernel to buffer
     * writes: much faster sequential writes, but write(2) then returns before the data reaches
     * the store (fsync(2) still makes it durable), and mtime and atime follow the kernel's cache
     * rather than every operation.
     */
    public static CaskFileSystem load(Cask cask, int rootUid, int rootGid, boolean writebackCache, Consumer<String> log) {
        CaskFileSystem fs = new CaskFileSystem(cask, writebackCache, log);
        fs.loadAll(rootUid, rootGid);
        return fs;
    }

    /** Reads the tree, then finishes what a crash left: orphaned inodes freed, chunks past a file's end cut. */
    private void loadAll(int rootUid, int rootGid) {
        StoredTree.Loaded loaded = StoredTree.read(cask, chunks, rootUid, rootGid, now());
        nextIno = loaded.nextIno();
        inodes.putAll(loaded.inodes());
        int dangling = loaded.danglingEntries();
        List<Long> orphans = loaded.orphans();
        if (dangling > 0) log.accept(dangling + " directory entries point to missing inodes; they are not shown");
        for (long ino : orphans) {
            inodes.remove(ino);
            freeInode(ino);
        }
        if (!orphans.isEmpty()) log.accept("freed " + orphans.size() + " unlinked inodes that were still open when the filesystem last stopped");
        int cut = 0;
        for (Inode n : inodes.values()) { // chunks past a file's end: a truncate cut short by a crash, finished now
            if (!n.isRegular()) continue;
            long before = n.blocks;
            freeChunks(n, n.ino, FileChunks.firstPast(n.size));
            if (n.blocks != before) cut++;
        }
        if (cut > 0) log.accept("freed the chunks past the end of " + cut + " file(s) whose truncate a crash had cut short");
    }

    public int inodeCount() {
        return inodes.size();
    }

    // ---- LowLevelFileSystem ----

    @Override
    public double cacheTimeoutSeconds() {
        return 1.0;
    }

    @Override
    public boolean writebackCache() {
        return askWriteback;
    }

    @Override
    public void init(boolean writeback) {
        this.writeback = writeback;
    }

    @Override
    public void destroy() {
        cask.sync();
    }

    @Override
    public Attr lookup(Caller caller, long parent, byte[] name) {
        checkName(name);
        long ino = dir(parent).directory.get(name);
        if (ino == 0) throw new Errno(Errno.ENOENT, "no entry");
        Inode n = inodes.get(ino);
        n.lookups++;
        return n.attr();
    }

    @Override
    public void forget(long ino, long nlookup) {
        Inode n = inodes.get(ino);
        if (n == null) return;
        n.lookups = Math.max(0, n.lookups - nlookup);
        dropIfUnused(n);
    }

    @Override
    public Attr getattr(long ino) {
        return inode(ino).attr();
    }

    @Override
    public Attr setattr(Caller caller, long ino, SetAttr change) {
        Inode n = inode(ino);
        TreeChange c = new TreeChange();
        Inode w = c.touch(n);
        long now = now();
        long grew = 0;
        boolean truncated = false;
        if (change.has(SetAttr.MODE)) w.mode = (n.mode & Inode.S_IFMT) | (change.mode() & 07777);
        if (change.has(SetAttr.UID)) w.uid = change.uid();
        if (change.has(SetAttr.GID)) w.gid = change.gid();
        if (change.has(SetAttr.SIZE)) {
            if (n.isDirectory()) throw new Errno(Errno.EISDIR, "truncate of a directory");
            if (!n.isRegular()) throw new Errno(Errno.EINVAL, "truncate of a special file");
            if (change.size() < 0) throw new Errno(Errno.EINVAL, "negative size");
            if (change.size() > MAX_FILE_SIZE) throw new Errno(Errno.EFBIG, "size over the limit");
            // as ext4: a truncate moves mtime even when the size stays the same
            if (!change.has(SetAttr.MTIME) && !change.has(SetAttr.MTIME_NOW)) w.mtime = now;
            grew = chunks.truncate(c.batch, ino, n.size, change.size());
            w.size = change.size();
            truncated = change.size() < n.size;
        }
        if (change.has(SetAttr.ATIME_NOW)) w.atime = now;
        else if (change.has(SetAttr.ATIME)) w.atime = change.atimeNanos();
        if (change.has(SetAttr.MTIME_NOW)) w.mtime = now;
        else if (change.has(SetAttr.MTIME)) w.mtime = change.mtimeNanos();
        w.ctime = now;
        if (n.deleted) { // a late setattr (the kernel's writeback flushing times) of an inode already freed
            n.apply(w);
            return n.attr();
        }
        c.commit(this::write);
        n.blocks += grew;
        if (truncated) freeChunks(n, ino, FileChunks.firstPast(n.size)); // what one batch could not take
        return n.attr();
    }

    @Override
    public byte[] readlink(long ino) {
        Inode n = inode(ino);
        if (!n.isSymlink()) throw new Errno(Errno.EINVAL, "not a symbolic link");
        touchAtime(n);
        return n.target;
    }

    @Override
    public Attr mknod(Caller caller, long parent, byte[] name, int mode, long rdev) {
        if ((mode & Inode.S_IFMT) == Inode.S_IFDIR) throw new Errno(Errno.EPERM, "mknod of a directory");
        if ((mode & Inode.S_IFMT) == 0) mode |= Inode.S_IFREG;
        return newInode(caller, parent, name, mode, rdev, null).attr();
    }

    @Override
    public Attr mkdir(Caller caller, long parent, byte[] name, int mode) {
        return newInode(caller, parent, name, Inode.S_IFDIR | (mode & 07777), 0, null).attr();
    }

    @Override
    public Attr symlink(Caller caller, byte[] target, long parent, byte[] name) {
        if (target.length == 0) throw new Errno(Errno.ENOENT, "empty symlink target");
        if (target.length >= 4096) throw new Errno(Errno.ENAMETOOLONG, "symlink target over 4095 bytes");
        return newInode(caller, parent, name, Inode.S_IFLNK | 0777, 0, target).attr();
    }

    @Override
    public Attr create(Caller caller, long parent, byte[] name, int mode, int flags, long[] handle) {
        Inode n = newInode(caller, parent, name, Inode.S_IFREG | (mode & 07777), 0, null);
        handle[0] = openHandle(n, flags);
        return n.attr();
    }

    /** Creates an inode and its entry in one batch: the inode, the entry, the parent and the superblock. */
    private Inode newInode(Caller caller, long parent, byte[] name, int mode, long rdev, byte[] target) {
        checkName(name);
        Inode p = dir(parent);
        if (p.nlink == 0) throw new Errno(Errno.ENOENT, "directory was removed");
        if (p.directory.get(name) != 0) throw new Errno(Errno.EEXIST, "exists");
        boolean isDir = (mode & Inode.S_IFMT) == Inode.S_IFDIR;
        if (isDir && p.nlink >= LINK_MAX) throw new Errno(Errno.EMLINK, "parent has too many subdirectories");
        long now = now();
        int gid = caller.gid();
        if ((p.mode & Inode.S_ISGID) != 0) {
            gid = p.gid; // a setgid directory hands its group down, and its setgid bit to subdirectories
            if (isDir) mode |= Inode.S_ISGID;
        }
        Inode n = new Inode(nextIno, mode, caller.uid(), gid, now);
        n.nlink = isDir ? 2 : 1;
        n.rdev = rdev;
        n.target = target;
        if (target != null) n.size = target.length;
        TreeChange c = new TreeChange();
        Inode pw = c.touchDirectory(p, now);
        if (isDir) pw.nlink++;
        c.batch.put(FsKeys.inode(n.ino), InodeCodec.encode(n))
                .put(FsKeys.entry(parent, name), FsKeys.longValue(n.ino))
                .put(FsKeys.superblock(), InodeCodec.encodeSuperblock(nextIno + 1));
        c.commit(this::write);
        nextIno++;
        if (isDir) n.directory = new Directory(parent);
        inodes.put(n.ino, n);
        p.directory.put(name, n.ino);
        n.lookups++;
        return n;
    }

    @Override
    public void unlink(Caller caller, long parent, byte[] name) {
        checkName(name);
        Inode p = dir(parent);
        Inode n = child(p, name);
        if (n.isDirectory()) throw new Errno(Errno.EISDIR, "unlink of a directory");
        long now = now();
        TreeChange c = new TreeChange();
        c.batch.delete(FsKeys.entry(parent, name));
        c.touchDirectory(p, now);
        Inode nw = c.touchUnrecorded(n);
        nw.nlink--;
        nw.ctime = now;
        dropLink(c.batch, n, nw);
        c.commit(this::write);
        p.directory.remove(name);
        afterDrop(n);
    }

    @Override
    public void rmdir(Caller caller, long parent, byte[] name) {
        checkName(name);
        Inode p = dir(parent);
        Inode n = child(p, name);
        if (!n.isDirectory()) throw new Errno(Errno.ENOTDIR, "not a directory");
        if (!n.directory.isEmpty()) throw new Errno(Errno.ENOTEMPTY, "directory not empty");
        long now = now();
        TreeChange c = new TreeChange();
        c.touchDirectory(p, now).nlink--;
        c.batch.delete(FsKeys.entry(parent, name)).delete(FsKeys.inode(n.ino));
        c.commit(this::write);
        p.directory.remove(name);
        n.nlink = 0;
        n.ctime = now;
        n.deleted = true;
        dropIfUnused(n);
    }

    @Override
    public void rename(Caller caller, long parent, byte[] name, long newParent, byte[] newName, int flags) {
        checkName(name);
        checkName(newName);
        if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) != 0 || flags == (RENAME_NOREPLACE | RENAME_EXCHANGE)) {
            throw new Errno(Errno.EINVAL, "rename flags " + flags);
        }
        Inode p = dir(parent);
        Inode q = dir(newParent);
        Inode src = child(p, name);
        long dstIno = q.directory.get(newName);
        Inode dst = dstIno == 0 ? null : inodes.get(dstIno);
        if ((flags & RENAME_EXCHANGE) != 0) {
            if (dst == null) throw new Errno(Errno.ENOENT, "exchange with a missing entry");
            exchange(p, name, src, q, newName, dst);
            return;
        }
        if (dst != null && (flags & RENAME_NOREPLACE) != 0) throw new Errno(Errno.EEXIST, "target exists");
        if (dst == src) return; // two links to one inode: POSIX says do nothing
        if (src.isDirectory()) {
            if (isSelfOrAncestor(src.ino, newParent)) throw new Errno(Errno.EINVAL, "a directory cannot move into itself");
            if (dst != null && !dst.isDirectory()) throw new Errno(Errno.ENOTDIR, "target is not a directory");
            if (dst != null && !dst.directory.isEmpty()) throw new Errno(Errno.ENOTEMPTY, "target directory not empty");
            if (dst == null && parent != newParent && q.nlink >= LINK_MAX) throw new Errno(Errno.EMLINK, "target has too many subdirectories");
        } else if (dst != null && dst.isDirectory()) {
            throw new Errno(Errno.EISDIR, "target is a directory");
        }
        long now = now();
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
                dropLink(c.batch, dst, dw);
            }
        }
        c.commit(this::write);
        p.directory.remove(name);
        q.directory.put(newName, src.ino);
        if (src.directory != null) src.directory.parent = newParent;
        if (dst != null) {
            if (dst.isDirectory()) {
                dst.deleted = true;
                dropIfUnused(dst);
            } else {
                afterDrop(dst);
            }
        }
    }

    private void exchange(Inode p, byte[] name, Inode src, Inode q, byte[] newName, Inode dst) {
        if (src.isDirectory() && isSelfOrAncestor(src.ino, q.ino)) throw new Errno(Errno.EINVAL, "a directory cannot move into itself");
        if (dst.isDirectory() && isSelfOrAncestor(dst.ino, p.ino)) throw new Errno(Errno.EINVAL, "a directory cannot move into itself");
        long now = now();
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
        c.commit(this::write);
        p.directory.put(name, dst.ino);
        q.directory.put(newName, src.ino);
        if (src.directory != null) src.directory.parent = q.ino;
        if (dst.directory != null) dst.directory.parent = p.ino;
    }

    @Override
    public Attr link(Caller caller, long ino, long newParent, byte[] newName) {
        checkName(newName);
        Inode n = inode(ino);
        if (n.isDirectory()) throw new Errno(Errno.EPERM, "hard link to a directory");
        if (n.nlink == 0) throw new Errno(Errno.ENOENT, "inode was unlinked");
        if (n.nlink >= LINK_MAX) throw new Errno(Errno.EMLINK, "too many links");
        Inode q = dir(newParent);
        if (q.directory.get(newName) != 0) throw new Errno(Errno.EEXIST, "exists");
        long now = now();
        TreeChange c = new TreeChange();
        Inode nw = c.touch(n);
        nw.nlink++;
        nw.ctime = now;
        c.touchDirectory(q, now);
        c.batch.put(FsKeys.entry(newParent, newName), FsKeys.longValue(ino));
        c.commit(this::write);
        q.directory.put(newName, ino);
        n.lookups++;
        return n.attr();
    }

    @Override
    public long open(Caller caller, long ino, int flags) {
        Inode n = inode(ino);
        if (n.isDirectory()) throw new Errno(Errno.EISDIR, "open of a directory as a file");
        if ((flags & O_TRUNC) != 0 && (flags & O_ACCMODE) != O_RDONLY && n.isRegular()) {
            long now = now();
            TreeChange c = new TreeChange();
            Inode w = c.touch(n);
            w.size = 0;
            w.mtime = now;
            w.ctime = now;
            long grew = chunks.truncate(c.batch, ino, n.size, 0);
            c.commit(this::write);
            n.blocks += grew;
            freeChunks(n, ino, 0);
        }
        return openHandle(n, flags);
    }

    private long openHandle(Inode n, int flags) {
        long fh = nextHandle++;
        handles.put(fh, new OpenFile(n.ino, flags));
        n.openCount++;
        return fh;
    }

    @Override
    public int read(long ino, long fh, long offset, MemorySegment into) {
        Inode n = inode(ino);
        if (!n.isRegular()) throw new Errno(Errno.EINVAL, "read of a special file");
        if (offset >= n.size || into.byteSize() == 0) return 0;
        int length = (int) Math.min(into.byteSize(), n.size - offset);
        chunks.read(ino, offset, into.asSlice(0, length));
        touchAtime(n);
        return length;
    }

    /** relatime, as ext4 mounts by default: atime moves only if it is older than mtime or ctime, or a day old. */
    private void touchAtime(Inode n) {
        long now = now();
        if (n.atime > n.mtime && n.atime > n.ctime && now - n.atime < DAY_NANOS) return;
        if (n.nlink == 0) {
            n.atime = now;
            return;
        }
        Inode w = n.copy();
        w.atime = now;
        try {
            cask.put(FsKeys.inode(n.ino), InodeCodec.encode(w));
            n.apply(w);
        } catch (CaskException e) {
            log.accept("atime of inode " + n.ino + " not updated: " + e.getMessage()); // the read itself succeeded
        }
    }

    @Override
    public int write(long ino, long fh, long offset, MemorySegment data) {
        Inode n = inode(ino);
        if (!n.isRegular()) throw new Errno(Errno.EINVAL, "write to a special file");
        if (n.deleted) return (int) data.byteSize(); // the writeback of a file already freed: nothing can read it again
        OpenFile handle = handles.get(fh);
        if (!writeback && handle != null && (handle.flags & O_APPEND) != 0) offset = n.size;
        int length = (int) data.byteSize();
        if (offset < 0) throw new Errno(Errno.EINVAL, "negative offset");
        if (offset + length > MAX_FILE_SIZE) throw new Errno(Errno.EFBIG, "file would pass " + MAX_FILE_SIZE + " bytes");
        TreeChange c = new TreeChange();
        long grew = chunks.write(c.batch, ino, offset, data);
        long now = now();
        Inode w = c.touch(n); // an orphan's too: the mount that frees it reads its size
        w.size = Math.max(n.size, offset + length);
        w.mtime = now;
        w.ctime = now;
        c.commit(this::write);
        n.blocks += grew;
        return length;
    }

    @Override
    public void flush(long ino, long fh) {
        // every write is already in the store; close(2) promises no durability, fsync(2) does
    }

    @Override
    public void release(long ino, long fh) {
        OpenFile f = handles.remove(fh);
        if (f == null) return;
        Inode n = inodes.get(f.ino);
        if (n == null) return;
        n.openCount--;
        if (n.openCount == 0 && n.nlink == 0 && !n.deleted) {
            freeInode(n.ino); // its orphan marker, written at unlink, keeps this safe across a crash
            n.deleted = true;
        }
        dropIfUnused(n);
    }

    @Override
    public void fsync(long ino, long fh, boolean dataOnly) {
        sync();
    }

    @Override
    public long opendir(Caller caller, long ino) {
        dir(ino);
        return 0;
    }

    @Override
    public void readdir(long ino, long fh, long offset, boolean plus, DirSink sink) {
        Inode d = dir(ino);
        if (offset == 0) {
            if (!sink.add(new byte[] {'.'}, d.attr(), 1)) return;
        }
        if (offset <= 1) {
            Inode up = inodes.get(d.directory.parent);
            if (!sink.add(new byte[] {'.', '.'}, (up == null ? d : up).attr(), 2)) return;
        }
        for (Map.Entry<Long, String> e : d.directory.from(Math.max(offset, Directory.FIRST_SEQ)).entrySet()) {
            Inode child = inodes.get(d.directory.inoOf(e.getValue()));
            if (!sink.add(Directory.name(e.getValue()), child.attr(), e.getKey() + 1)) return;
            if (plus) child.lookups++; // readdirplus hands the kernel a reference, as lookup does
        }
        if (offset == 0) touchAtime(d);
    }

    @Override
    public void releasedir(long ino, long fh) {
    }

    @Override
    public void fsyncdir(long ino, long fh) {
        sync();
    }

    @Override
    public StatFs statfs() {
        try {
            FileStore store = Files.getFileStore(cask.directory());
            long bsize = 4096;
            long files = Math.max(1L << 32, inodes.size() * 2L);
            return new StatFs(bsize, store.getTotalSpace() / bsize, store.getUnallocatedSpace() / bsize,
                    store.getUsableSpace() / bsize, files, files - inodes.size(), NAME_MAX);
        } catch (IOException e) {
            throw new Errno(Errno.EIO, "statfs: " + e);
        }
    }

    @Override
    public void fallocate(long ino, long fh, int mode, long offset, long length) {
        final int keepSize = 1;
        final int punchHole = 2;
        Inode n = inode(ino);
        if (!n.isRegular()) throw new Errno(Errno.ENODEV, "fallocate of a special file");
        if (offset < 0 || length <= 0) throw new Errno(Errno.EINVAL, "bad range");
        if (offset + length > MAX_FILE_SIZE) throw new Errno(Errno.EFBIG, "past the size limit");
        long now = now();
        TreeChange c = new TreeChange();
        Inode w = c.touch(n);
        long grew = 0;
        if (mode == 0 || mode == keepSize) {
            // chunks are written when data arrives; reserving space ahead would only cost a write
            if (mode == 0 && offset + length > n.size) w.size = offset + length;
            w.mtime = now; // as ext4 does, even when nothing had to be allocated
            w.ctime = now;
        } else if (mode == (punchHole | keepSize)) {
            long end = Math.min(offset + length, n.size);
            grew = chunks.zero(c.batch, n.ino, offset, end);
            w.mtime = now;
            w.ctime = now;
        } else {
            throw new Errno(Errno.EOPNOTSUPP, "fallocate mode " + mode);
        }
        c.commit(this::write);
        n.blocks += grew;
    }

    /**
     * After the last link went: free the inode now, or mark it an orphan while it is still open.
     * A file of more chunks than one batch deletes is marked an orphan too, and {@link #afterDrop}
     * frees it in bounded batches: a crash part-way leaves the marker, and the next mount finishes.
     */
    private void dropLink(WriteBatch b, Inode n, Inode written) {
        if (written.nlink > 0) {
            b.put(FsKeys.inode(n.ino), InodeCodec.encode(written));
        } else if (n.openCount > 0 || chunks.mayStoreMoreThan(n.ino, FileChunks.FREE_BATCH)) {
            b.put(FsKeys.inode(n.ino), InodeCodec.encode(written));
            b.put(FsKeys.orphan(n.ino), new byte[0]);
        } else {
            b.delete(FsKeys.inode(n.ino));
            chunks.freeFrom(b, n.ino, 0); // all of them: fewer than one batch
        }
    }

    /** After a commit that took a link away from {@code n}. */
    private void afterDrop(Inode n) {
        if (n.nlink == 0 && n.openCount == 0) {
            // the same test as dropLink's: more than one batch took the orphan route and is freed now; fewer went in the
            // unlink's own batch, and what the index still holds of them is stale
            if (chunks.mayStoreMoreThan(n.ino, FileChunks.FREE_BATCH)) freeInode(n.ino);
            else chunks.forget(n.ino);
            n.deleted = true;
        }
        dropIfUnused(n);
    }

    /** Deletes, in bounded batches, the stored chunks of {@code ino} from chunk {@code first} on; keeps {@code n}'s block count (if given). */
    private void freeChunks(Inode n, long ino, long first) {
        while (true) {
            WriteBatch b = new WriteBatch();
            FileChunks.Freed freed = chunks.freeFrom(b, ino, first);
            if (b.size() > 0) write(b);
            if (n != null) n.blocks -= freed.blocks();
            if (!freed.more()) return;
        }
    }

    /** Frees an unlinked inode nobody has open: its chunks in bounded batches, then the inode and its orphan marker. */
    private void freeInode(long ino) {
        freeChunks(null, ino, 0);
        write(new WriteBatch().delete(FsKeys.inode(ino)).delete(FsKeys.orphan(ino)));
        chunks.forget(ino);
    }

    private void dropIfUnused(Inode n) {
        if (n.nlink == 0 && n.lookups == 0 && n.openCount == 0 && n.ino != ROOT) inodes.remove(n.ino);
    }

    // ---- helpers ----

    private boolean isSelfOrAncestor(long ancestor, long ino) {
        for (long at = ino; ; ) {
            if (at == ancestor) return true;
            if (at == ROOT) return false;
            Inode n = inodes.get(at);
            if (n == null || n.directory == null) return false;
            at = n.directory.parent;
        }
    }

    private Inode inode(long ino) {
        Inode n = inodes.get(ino);
        if (n == null) throw new Errno(Errno.ENOENT, "no inode " + ino);
        return n;
    }

    private Inode dir(long ino) {
        Inode n = inode(ino);
        if (n.directory == null) throw new Errno(Errno.ENOTDIR, "inode " + ino + " is not a directory");
        return n;
    }

    private Inode child(Inode parent, byte[] name) {
        long ino = parent.directory.get(name);
        if (ino == 0) throw new Errno(Errno.ENOENT, "no entry");
        return inodes.get(ino);
    }

    private static void checkName(byte[] name) {
        if (name.length > NAME_MAX) throw new Errno(Errno.ENAMETOOLONG, "name of " + name.length + " bytes");
        if (name.length == 0) throw new Errno(Errno.ENOENT, "empty name");
    }

    private void write(WriteBatch b) {
        try {
            cask.write(b);
        } catch (LimitExceededException e) {
            throw new Errno(Errno.EFBIG, e.getMessage());
        } catch (CaskException e) {
            throw storeFailure(e);
        }
    }

    private void sync() {
        try {
            cask.sync();
        } catch (CaskException e) {
            throw storeFailure(e);
        }
    }

    /** A full disk answers ENOSPC; any other store failure EIO. Both are logged: the user has to act. */
    private Errno storeFailure(CaskException e) {
        boolean full = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (dev.cask.core.NoSpaceException.isNoSpace(t)) full = true;
        }
        log.accept("store write failed, answered " + (full ? "ENOSPC" : "EIO") + ": " + e.getMessage());
        return new Errno(full ? Errno.ENOSPC : Errno.EIO, e.getMessage());
    }

    private long now() {
        return dev.cask.fs.fuse.FsTime.now(cask.options().clock());
    }
}

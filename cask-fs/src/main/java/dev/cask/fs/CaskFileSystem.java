package dev.cask.fs;

import dev.cask.core.Cask;
import dev.cask.core.CaskException;
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

    private final Cask cask;
    private final FsStore store;
    private final FileChunks chunks;
    private final InodeTable inodes;
    private final InodeReaper reaper;
    private final Rename rename;
    private final OpenFiles handles = new OpenFiles();
    /** The kernel's writeback cache is on: it computes O_APPEND offsets itself and may write through any handle. */
    private boolean writeback;
    /** Asked for at init; off by default because the kernel then keeps timestamps and un-synced writes itself. */
    private final boolean askWriteback;

    private CaskFileSystem(Cask cask, FsStore store, FileChunks chunks, InodeTable inodes, boolean askWriteback) {
        this.cask = cask;
        this.store = store;
        this.chunks = chunks;
        this.inodes = inodes;
        this.reaper = new InodeReaper(store, chunks, inodes);
        this.rename = new Rename(store, inodes, reaper);
        this.askWriteback = askWriteback;
    }

    /**
     * Loads the filesystem stored in {@code cask}, creating an empty one (root owned by
     * {@code rootUid}/{@code rootGid}) if there is none, and frees the inodes a crash left orphaned.
     */
    public static CaskFileSystem load(Cask cask, int rootUid, int rootGid, Consumer<String> log) {
        return load(cask, rootUid, rootGid, false, log);
    }

    /** As {@link #load(Cask, int, int, boolean, Consumer)}, reporting through {@code System.Logger} (warnings of dev.cask.fs). */
    public static CaskFileSystem load(Cask cask, int rootUid, int rootGid, boolean writebackCache) {
        System.Logger logger = System.getLogger(CaskFileSystem.class.getName());
        return load(cask, rootUid, rootGid, writebackCache, message -> logger.log(System.Logger.Level.WARNING, message));
    }

    /**
     * As {@link #load(Cask, int, int, Consumer)}; {@code writebackCache} asks the kernel to buffer
     * writes: much faster sequential writes, but write(2) then returns before the data reaches
     * the store (fsync(2) still makes it durable), and mtime and atime follow the kernel's cache
     * rather than every operation.
     */
    public static CaskFileSystem load(Cask cask, int rootUid, int rootGid, boolean writebackCache, Consumer<String> log) {
        FsStore store = new FsStore(cask, log);
        FileChunks chunks = new FileChunks(cask);
        StoredTree.Loaded loaded = StoredTree.read(cask, chunks, rootUid, rootGid, store.now());
        if (loaded.danglingEntries() > 0) log.accept(loaded.danglingEntries() + " directory entries point to missing inodes; they are not shown");
        CaskFileSystem fs = new CaskFileSystem(cask, store, chunks, new InodeTable(loaded.inodes(), loaded.nextIno()), writebackCache);
        fs.reaper.finishWhatACrashLeft(loaded.orphans());
        return fs;
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
        long ino = inodes.dir(parent).directory.get(name);
        if (ino == 0) throw new Errno(Errno.ENOENT, "no entry");
        Inode n = inodes.find(ino);
        n.lookups++;
        return n.attr();
    }

    @Override
    public void forget(long ino, long nlookup) {
        Inode n = inodes.find(ino);
        if (n == null) return;
        n.lookups = Math.max(0, n.lookups - nlookup);
        inodes.dropIfUnused(n);
    }

    @Override
    public Attr getattr(long ino) {
        return inodes.inode(ino).attr();
    }

    @Override
    public Attr setattr(Caller caller, long ino, SetAttr change) {
        Inode n = inodes.inode(ino);
        TreeChange c = new TreeChange();
        Inode w = c.touch(n);
        long now = store.now();
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
        c.commit(store::write);
        n.blocks += grew;
        if (truncated) reaper.freeChunks(n, ino, FileChunks.firstPast(n.size)); // what one batch could not take
        return n.attr();
    }

    @Override
    public byte[] readlink(long ino) {
        Inode n = inodes.inode(ino);
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
        handle[0] = handles.open(n, flags);
        return n.attr();
    }

    /** Creates an inode and its entry in one batch: the inode, the entry, the parent and the superblock. */
    private Inode newInode(Caller caller, long parent, byte[] name, int mode, long rdev, byte[] target) {
        checkName(name);
        Inode p = inodes.dir(parent);
        if (p.nlink == 0) throw new Errno(Errno.ENOENT, "directory was removed");
        if (p.directory.get(name) != 0) throw new Errno(Errno.EEXIST, "exists");
        boolean isDir = (mode & Inode.S_IFMT) == Inode.S_IFDIR;
        if (isDir && p.nlink >= LINK_MAX) throw new Errno(Errno.EMLINK, "parent has too many subdirectories");
        long now = store.now();
        int gid = caller.gid();
        if ((p.mode & Inode.S_ISGID) != 0) {
            gid = p.gid; // a setgid directory hands its group down, and its setgid bit to subdirectories
            if (isDir) mode |= Inode.S_ISGID;
        }
        Inode n = new Inode(inodes.nextIno, mode, caller.uid(), gid, now);
        n.nlink = isDir ? 2 : 1;
        n.rdev = rdev;
        n.target = target;
        if (target != null) n.size = target.length;
        TreeChange c = new TreeChange();
        Inode pw = c.touchDirectory(p, now);
        if (isDir) pw.nlink++;
        c.batch.put(FsKeys.inode(n.ino), InodeCodec.encode(n))
                .put(FsKeys.entry(parent, name), FsKeys.longValue(n.ino))
                .put(FsKeys.superblock(), InodeCodec.encodeSuperblock(inodes.nextIno + 1));
        c.commit(store::write);
        inodes.nextIno++;
        if (isDir) n.directory = new Directory(parent);
        inodes.add(n);
        p.directory.put(name, n.ino);
        n.lookups++;
        return n;
    }

    @Override
    public void unlink(Caller caller, long parent, byte[] name) {
        checkName(name);
        Inode p = inodes.dir(parent);
        Inode n = inodes.child(p, name);
        if (n.isDirectory()) throw new Errno(Errno.EISDIR, "unlink of a directory");
        long now = store.now();
        TreeChange c = new TreeChange();
        c.batch.delete(FsKeys.entry(parent, name));
        c.touchDirectory(p, now);
        Inode nw = c.touchUnrecorded(n);
        nw.nlink--;
        nw.ctime = now;
        reaper.dropLink(c.batch, n, nw);
        c.commit(store::write);
        p.directory.remove(name);
        reaper.afterDrop(n);
    }

    @Override
    public void rmdir(Caller caller, long parent, byte[] name) {
        checkName(name);
        Inode p = inodes.dir(parent);
        Inode n = inodes.child(p, name);
        if (!n.isDirectory()) throw new Errno(Errno.ENOTDIR, "not a directory");
        if (!n.directory.isEmpty()) throw new Errno(Errno.ENOTEMPTY, "directory not empty");
        long now = store.now();
        TreeChange c = new TreeChange();
        c.touchDirectory(p, now).nlink--;
        c.batch.delete(FsKeys.entry(parent, name)).delete(FsKeys.inode(n.ino));
        c.commit(store::write);
        p.directory.remove(name);
        n.nlink = 0;
        n.ctime = now;
        n.deleted = true;
        inodes.dropIfUnused(n);
    }

    @Override
    public void rename(Caller caller, long parent, byte[] name, long newParent, byte[] newName, int flags) {
        checkName(name);
        checkName(newName);
        rename.rename(parent, name, newParent, newName, flags);
    }

    @Override
    public Attr link(Caller caller, long ino, long newParent, byte[] newName) {
        checkName(newName);
        Inode n = inodes.inode(ino);
        if (n.isDirectory()) throw new Errno(Errno.EPERM, "hard link to a directory");
        if (n.nlink == 0) throw new Errno(Errno.ENOENT, "inode was unlinked");
        if (n.nlink >= LINK_MAX) throw new Errno(Errno.EMLINK, "too many links");
        Inode q = inodes.dir(newParent);
        if (q.directory.get(newName) != 0) throw new Errno(Errno.EEXIST, "exists");
        long now = store.now();
        TreeChange c = new TreeChange();
        Inode nw = c.touch(n);
        nw.nlink++;
        nw.ctime = now;
        c.touchDirectory(q, now);
        c.batch.put(FsKeys.entry(newParent, newName), FsKeys.longValue(ino));
        c.commit(store::write);
        q.directory.put(newName, ino);
        n.lookups++;
        return n.attr();
    }

    @Override
    public long open(Caller caller, long ino, int flags) {
        Inode n = inodes.inode(ino);
        if (n.isDirectory()) throw new Errno(Errno.EISDIR, "open of a directory as a file");
        if ((flags & O_TRUNC) != 0 && (flags & O_ACCMODE) != O_RDONLY && n.isRegular()) {
            long now = store.now();
            TreeChange c = new TreeChange();
            Inode w = c.touch(n);
            w.size = 0;
            w.mtime = now;
            w.ctime = now;
            long grew = chunks.truncate(c.batch, ino, n.size, 0);
            c.commit(store::write);
            n.blocks += grew;
            reaper.freeChunks(n, ino, 0);
        }
        return handles.open(n, flags);
    }

    @Override
    public int read(long ino, long fh, long offset, MemorySegment into) {
        Inode n = inodes.inode(ino);
        if (!n.isRegular()) throw new Errno(Errno.EINVAL, "read of a special file");
        if (offset >= n.size || into.byteSize() == 0) return 0;
        int length = (int) Math.min(into.byteSize(), n.size - offset);
        chunks.read(ino, offset, into.asSlice(0, length));
        touchAtime(n);
        return length;
    }

    /** relatime, as ext4 mounts by default: atime moves only if it is older than mtime or ctime, or a day old. */
    private void touchAtime(Inode n) {
        long now = store.now();
        if (n.atime > n.mtime && n.atime > n.ctime && now - n.atime < DAY_NANOS) return;
        if (n.nlink == 0) {
            n.atime = now;
            return;
        }
        Inode w = n.copy();
        w.atime = now;
        try {
            cask.put(FsKeys.inode(n.ino), InodeCodec.encode(w)); // not through the store: a failure here is logged, not answered
            n.apply(w);
        } catch (CaskException e) {
            store.log("atime of inode " + n.ino + " not updated: " + e.getMessage()); // the read itself succeeded
        }
    }

    @Override
    public int write(long ino, long fh, long offset, MemorySegment data) {
        Inode n = inodes.inode(ino);
        if (!n.isRegular()) throw new Errno(Errno.EINVAL, "write to a special file");
        if (n.deleted) return (int) data.byteSize(); // the writeback of a file already freed: nothing can read it again
        if (!writeback && handles.appends(fh)) offset = n.size;
        int length = (int) data.byteSize();
        if (offset < 0) throw new Errno(Errno.EINVAL, "negative offset");
        if (offset + length > MAX_FILE_SIZE) throw new Errno(Errno.EFBIG, "file would pass " + MAX_FILE_SIZE + " bytes");
        TreeChange c = new TreeChange();
        long grew = chunks.write(c.batch, ino, offset, data);
        long now = store.now();
        Inode w = c.touch(n); // an orphan's too: the mount that frees it reads its size
        w.size = Math.max(n.size, offset + length);
        w.mtime = now;
        w.ctime = now;
        c.commit(store::write);
        n.blocks += grew;
        return length;
    }

    @Override
    public void flush(long ino, long fh) {
        // every write is already in the store; close(2) promises no durability, fsync(2) does
    }

    @Override
    public void release(long ino, long fh) {
        Inode n = inodes.find(handles.release(fh));
        if (n == null) return;
        n.openCount--;
        reaper.afterRelease(n);
    }

    @Override
    public void fsync(long ino, long fh, boolean dataOnly) {
        store.sync();
    }

    @Override
    public long opendir(Caller caller, long ino) {
        inodes.dir(ino);
        return 0;
    }

    @Override
    public void readdir(long ino, long fh, long offset, boolean plus, DirSink sink) {
        Inode d = inodes.dir(ino);
        if (offset == 0) {
            if (!sink.add(new byte[] {'.'}, d.attr(), 1)) return;
        }
        if (offset <= 1) {
            Inode up = inodes.find(d.directory.parent);
            if (!sink.add(new byte[] {'.', '.'}, (up == null ? d : up).attr(), 2)) return;
        }
        for (Map.Entry<Long, String> e : d.directory.from(Math.max(offset, Directory.FIRST_SEQ)).entrySet()) {
            Inode child = inodes.find(d.directory.inoOf(e.getValue()));
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
        store.sync();
    }

    @Override
    public StatFs statfs() {
        try {
            FileStore disk = Files.getFileStore(cask.directory());
            long bsize = 4096;
            long files = Math.max(1L << 32, inodes.size() * 2L);
            return new StatFs(bsize, disk.getTotalSpace() / bsize, disk.getUnallocatedSpace() / bsize,
                    disk.getUsableSpace() / bsize, files, files - inodes.size(), NAME_MAX);
        } catch (IOException e) {
            throw new Errno(Errno.EIO, "statfs: " + e);
        }
    }

    @Override
    public void fallocate(long ino, long fh, int mode, long offset, long length) {
        final int keepSize = 1;
        final int punchHole = 2;
        Inode n = inodes.inode(ino);
        if (!n.isRegular()) throw new Errno(Errno.ENODEV, "fallocate of a special file");
        if (offset < 0 || length <= 0) throw new Errno(Errno.EINVAL, "bad range");
        if (offset + length > MAX_FILE_SIZE) throw new Errno(Errno.EFBIG, "past the size limit");
        long now = store.now();
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
        c.commit(store::write);
        n.blocks += grew;
    }

    private static void checkName(byte[] name) {
        if (name.length > NAME_MAX) throw new Errno(Errno.ENAMETOOLONG, "name of " + name.length + " bytes");
        if (name.length == 0) throw new Errno(Errno.ENOENT, "empty name");
    }
}

package dev.cask.fs.fuse;

import java.lang.foreign.MemorySegment;

/**
 * The operations of libfuse's low-level API, in Java terms: inode numbers, not paths. The binding
 * ({@link FuseMount}) calls them on its one loop thread, replies with what they return, and turns
 * an {@link Errno} into that errno and anything else into EIO (logged). They never reply themselves.
 * Names are raw bytes, as the kernel passes them.
 */
public interface LowLevelFileSystem {
    /** How long the kernel may cache entries and attributes, in seconds. */
    double cacheTimeoutSeconds();

    /**
     * Whether to ask for the kernel's writeback cache: write(2) then returns once the data is in
     * the kernel's page cache, which sends it on in large writes at flush, fsync or writeback
     * time, and the kernel keeps mtime and the O_APPEND offset itself.
     */
    boolean writebackCache();

    /** The session is up; {@code writeback} says whether the kernel granted the writeback cache. */
    void init(boolean writeback);

    void destroy();

    Attr lookup(Caller caller, long parent, byte[] name);

    void forget(long ino, long nlookup);

    Attr getattr(long ino);

    Attr setattr(Caller caller, long ino, SetAttr change);

    byte[] readlink(long ino);

    Attr mknod(Caller caller, long parent, byte[] name, int mode, long rdev);

    Attr mkdir(Caller caller, long parent, byte[] name, int mode);

    void unlink(Caller caller, long parent, byte[] name);

    void rmdir(Caller caller, long parent, byte[] name);

    Attr symlink(Caller caller, byte[] target, long parent, byte[] name);

    /** {@code flags}: 0, {@link #RENAME_NOREPLACE} or {@link #RENAME_EXCHANGE}. */
    void rename(Caller caller, long parent, byte[] name, long newParent, byte[] newName, int flags);

    Attr link(Caller caller, long ino, long newParent, byte[] newName);

    /** Returns the file handle. {@code flags} are open(2)'s; O_TRUNC arrives here, not as a setattr. */
    long open(Caller caller, long ino, int flags);

    /** Fills {@code into} from {@code offset}; returns the bytes filled (short only at end of file). */
    int read(long ino, long fh, long offset, MemorySegment into);

    int write(long ino, long fh, long offset, MemorySegment data);

    void flush(long ino, long fh);

    void release(long ino, long fh);

    void fsync(long ino, long fh, boolean dataOnly);

    long opendir(Caller caller, long ino);

    /** Adds entries from {@code offset} until {@code sink} is full or the directory ends. */
    void readdir(long ino, long fh, long offset, boolean plus, DirSink sink);

    void releasedir(long ino, long fh);

    void fsyncdir(long ino, long fh);

    StatFs statfs();

    /** Creates and opens a regular file; returns its attributes and stores the handle in {@code handle[0]}. */
    Attr create(Caller caller, long parent, byte[] name, int mode, int flags, long[] handle);

    void fallocate(long ino, long fh, int mode, long offset, long length);

    int RENAME_NOREPLACE = 1;
    int RENAME_EXCHANGE = 2;

    record StatFs(long blockSize, long blocks, long blocksFree, long blocksAvailable, long files, long filesFree, long nameMax) {
    }
}

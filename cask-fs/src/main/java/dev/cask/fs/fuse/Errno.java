package dev.cask.fs.fuse;

/**
 * The errno an operation answers with. Operations throw it; the binding turns it into
 * {@code fuse_reply_err}. Values are Linux's (asm-generic/errno-base.h and errno.h).
 */
public final class Errno extends RuntimeException {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EIO = 5;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int EXDEV = 18;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int EMLINK = 31;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOTEMPTY = 39;
    public static final int EOPNOTSUPP = 95;

    private final int errno;

    public Errno(int errno, String why) {
        super(why, null, false, false); // thrown as a reply, not a bug: no stack trace to fill
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}

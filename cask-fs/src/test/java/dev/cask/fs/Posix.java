package dev.cask.fs;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * The system calls the filesystem tests make, bound to libc so that each returns the exact errno
 * (java.nio would turn them into exception types). Each call returns 0 or the errno; {@link #lstat}
 * returns the fields the tests compare. Credentials change per thread through the raw syscalls
 * (glibc's wrappers would change every thread of the JVM, the FUSE loop's among them).
 */
final class Posix {
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_RDWR = 2;
    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;
    static final int O_TRUNC = 01000;
    static final int O_DIRECTORY = 0200000;
    static final int AT_FDCWD = -100;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int RENAME_NOREPLACE = 1;
    static final int RENAME_EXCHANGE = 2;
    static final long UTIME_NOW = (1L << 30) - 1;
    static final long UTIME_OMIT = (1L << 30) - 2;
    static final int S_IFIFO = 0010000;
    static final int FALLOC_FL_KEEP_SIZE = 1;
    static final int FALLOC_FL_PUNCH_HOLE = 2;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemoryLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle OPEN = h("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 2);
    private static final MethodHandle CLOSE = h("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle MKDIR = h("mkdir", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), -1);
    private static final MethodHandle RMDIR = h("rmdir", FunctionDescriptor.of(JAVA_INT, ADDRESS), -1);
    private static final MethodHandle UNLINK = h("unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS), -1);
    private static final MethodHandle RENAMEAT2 = h("renameat2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT), -1);
    private static final MethodHandle LINK = h("link", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), -1);
    private static final MethodHandle SYMLINK = h("symlink", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), -1);
    private static final MethodHandle MKNOD = h("mknod", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG), -1);
    private static final MethodHandle TRUNCATE = h("truncate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), -1);
    private static final MethodHandle FTRUNCATE = h("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), -1);
    private static final MethodHandle CHMOD = h("chmod", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), -1);
    private static final MethodHandle LCHOWN = h("lchown", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle UTIMENSAT = h("utimensat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), -1);
    private static final MethodHandle READLINK = h("readlink", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG), -1);
    private static final MethodHandle PREAD = h("pread", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), -1);
    private static final MethodHandle PWRITE = h("pwrite", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), -1);
    private static final MethodHandle FALLOCATE = h("fallocate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), -1);
    private static final MethodHandle FSYNC = h("fsync", FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle LSTAT = h("lstat", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), -1);
    private static final MethodHandle FSTAT = h("fstat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), -1);
    private static final MethodHandle SYSCALL = h("syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), 1);

    private static final long SYS_SETGROUPS = 116;
    private static final long SYS_SETRESUID = 117;
    private static final long SYS_SETRESGID = 119;

    /** What lstat shows; times in nanoseconds. */
    record Stat(long ino, int mode, long nlink, int uid, int gid, long size, long blocks, long atime, long mtime, long ctime) {
    }

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment state = arena.allocate(STATE);
    private final MemorySegment statBuf = arena.allocate(144, 8);
    private final MemorySegment times = arena.allocate(32, 8);
    private final MemorySegment path1 = arena.allocate(8192);
    private final MemorySegment path2 = arena.allocate(8192);

    private static MethodHandle h(String name, FunctionDescriptor fd, int firstVariadic) {
        MemorySegment symbol = LINKER.defaultLookup().find(name).orElseThrow();
        Linker.Option capture = Linker.Option.captureCallState("errno");
        return firstVariadic < 0 ? LINKER.downcallHandle(symbol, fd, capture)
                : LINKER.downcallHandle(symbol, fd, capture, Linker.Option.firstVariadicArg(firstVariadic));
    }

    private int errno() {
        return (int) ERRNO.get(state, 0L);
    }

    private int result(int rc) {
        return rc == 0 ? 0 : errno();
    }

    private MemorySegment c(MemorySegment into, Path p) {
        return c(into, p.toString());
    }

    private static MemorySegment c(MemorySegment into, String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        MemorySegment.copy(b, 0, into, JAVA_BYTE, 0, b.length);
        into.set(JAVA_BYTE, b.length, (byte) 0);
        return into;
    }

    /** A file descriptor (>= 0), or minus the errno. */
    int open(Path p, int flags, int mode) {
        try {
            int fd = (int) OPEN.invokeExact(state, c(path1, p), flags, mode);
            return fd >= 0 ? fd : -errno();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    int close(int fd) {
        try {
            return result((int) CLOSE.invokeExact(state, fd));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Creates (or truncates) a file with {@code content}; throws if that fails. */
    void writeFile(Path p, byte[] content) {
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) throw new AssertionError("open " + p + ": errno " + -fd);
        if (pwrite(fd, content, 0) != content.length) throw new AssertionError("write " + p);
        close(fd);
    }

    int mkdir(Path p, int mode) {
        try {
            return result((int) MKDIR.invokeExact(state, c(path1, p), mode));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    int rmdir(Path p) {
        try {
            return result((int) RMDIR.invokeExact(state, c(path1, p)));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    int unlink(Path p) {
        try {
            return result((int) UNLINK.invokeExact(state, c(path1, p)));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    int rename(Path from, Path to, int flags) {
        try {
            return result((int) RENAMEAT2.invokeExact(state, AT_FDCWD, c(path1, from), AT_FDCWD, c(path2, to), flags));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    int link(Path from, Path to) {
        try {
            return result((int) LINK.invokeExact(state, c(path1, from), c(path2, to)));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    int symlink(String target, Path link) {
        try {
            return result((int) SYMLINK.invokeExact(state, c(path1, target), c(path2, link)));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    int mknod(Path p, int mode) {
        try {
            return result((int) MKNOD.invokeExact(state, c(path1, p), mode, 0L));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    int truncate(Path p, long size) {
        try {
            return result((int) TRUNCATE.invokeExact(state, c(path1, p), size));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    int ftruncate(int fd, long size) {
        try {
            return result((int) FTRUNCATE.invokeExact(state, fd, size));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    int chmod(Path p, int mode) {
        try {
            return result((int) CHMOD.invokeExact(state, c(path1, p), mode));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    int lchown(Path p, int uid, int gid) {
        try {
            return result((int) LCHOWN.invokeExact(state, c(path1, p), uid, gid));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** utimensat with atime and mtime given as {seconds, nanoseconds} (UTIME_NOW and UTIME_OMIT in the nanoseconds); null times means both now. */
    int utimens(Path p, long[] atime, long[] mtime) {
        try {
            MemorySegment ts = MemorySegment.NULL;
            if (atime != null) {
                times.set(JAVA_LONG, 0, atime[0]);
                times.set(JAVA_LONG, 8, atime[1]);
                times.set(JAVA_LONG, 16, mtime[0]);
                times.set(JAVA_LONG, 24, mtime[1]);
                ts = times;
            }
            return result((int) UTIMENSAT.invokeExact(state, AT_FDCWD, c(path1, p), ts, AT_SYMLINK_NOFOLLOW));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The target, or null with the errno in {@code errno[0]}. */
    String readlink(Path p, int[] errno) {
        try {
            long n = (long) READLINK.invokeExact(state, c(path1, p), path2, 8192L);
            if (n < 0) {
                errno[0] = errno();
                return null;
            }
            return new String(path2.asSlice(0, n).toArray(JAVA_BYTE), java.nio.charset.StandardCharsets.UTF_8);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Bytes read, or minus the errno. */
    long pread(int fd, byte[] into, long offset) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(1, into.length));
            long n = (long) PREAD.invokeExact(state, fd, buf, (long) into.length, offset);
            if (n < 0) return -errno();
            MemorySegment.copy(buf, JAVA_BYTE, 0, into, 0, (int) n);
            return n;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    long pwrite(int fd, byte[] data, long offset) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, JAVA_BYTE, 0, data.length);
            long n = (long) PWRITE.invokeExact(state, fd, buf, (long) data.length, offset);
            return n < 0 ? -errno() : n;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    int fallocate(int fd, int mode, long offset, long length) {
        try {
            return result((int) FALLOCATE.invokeExact(state, fd, mode, offset, length));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    int fsync(int fd) {
        try {
            return result((int) FSYNC.invokeExact(state, fd));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** lstat, or null with the errno in {@code errno[0]} (pass null to throw instead). */
    Stat lstat(Path p, int[] errno) {
        try {
            int rc = (int) LSTAT.invokeExact(state, c(path1, p), statBuf);
            if (rc != 0) {
                if (errno == null) throw new AssertionError("lstat " + p + ": errno " + errno());
                errno[0] = errno();
                return null;
            }
            return stat(statBuf);
        } catch (Throwable t) {
            throw t instanceof AssertionError a ? a : new AssertionError(t);
        }
    }

    Stat lstat(Path p) {
        return lstat(p, null);
    }

    Stat fstat(int fd) {
        try {
            int rc = (int) FSTAT.invokeExact(state, fd, statBuf);
            if (rc != 0) throw new AssertionError("fstat: errno " + errno());
            return stat(statBuf);
        } catch (Throwable t) {
            throw t instanceof AssertionError a ? a : new AssertionError(t);
        }
    }

    private static Stat stat(MemorySegment s) {
        return new Stat(s.get(JAVA_LONG, 8), s.get(JAVA_INT, 24), s.get(JAVA_LONG, 16), s.get(JAVA_INT, 28), s.get(JAVA_INT, 32),
                s.get(JAVA_LONG, 48), s.get(JAVA_LONG, 64), nanos(s, 72), nanos(s, 88), nanos(s, 104));
    }

    private static long nanos(MemorySegment s, long at) {
        return s.get(JAVA_LONG, at) * 1_000_000_000L + s.get(JAVA_LONG, at + 8);
    }

    /**
     * Makes the calling thread (only) act as {@code uid}/{@code gid} with no supplementary groups;
     * the saved ids stay 0, so {@link #becomeRoot} can undo it.
     */
    void becomeUser(int uid, int gid) {
        syscall(SYS_SETGROUPS, 0, 0, 0);
        syscall(SYS_SETRESGID, -1, gid, -1);
        syscall(SYS_SETRESUID, -1, uid, -1);
    }

    void becomeRoot() {
        syscall(SYS_SETRESUID, -1, 0, -1);
        syscall(SYS_SETRESGID, -1, 0, -1);
        syscall(SYS_SETGROUPS, 0, 0, 0);
    }

    private void syscall(long number, long a, long b, long c) {
        try {
            long rc = (long) SYSCALL.invokeExact(state, number, a, b, c);
            if (rc != 0) throw new AssertionError("syscall " + number + ": errno " + errno());
        } catch (Throwable t) {
            throw t instanceof AssertionError e ? e : new AssertionError(t);
        }
    }
}

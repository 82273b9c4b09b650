package dev.cask.fs.fuse;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One FUSE session of libfuse3's low-level API: it fills a {@code fuse_lowlevel_ops} table with
 * upcall stubs into a {@link LowLevelFileSystem}, mounts, and runs {@code fuse_session_loop}.
 *
 * <p>Threads: {@link #loop} runs every upcall, {@code init} included, on the thread that calls it,
 * one request at a time, so the file system needs no locks. {@code destroy} runs on the thread that
 * calls {@link #close}, after the loop has returned. {@link #exit} may be called from any thread
 * (a shutdown hook): it makes the loop return.
 *
 * <p>No exception leaves an upcall, since one would kill the JVM: each upcall replies exactly once,
 * as its last step, with the operation's result, its {@link Errno}, or EIO for anything else,
 * which is logged.
 */
// The callbacks are found by name when the upcall stubs are made, and keep the C signatures'
// parameters; a reply's return code is assigned (invokeExact needs the exact type) and ignored
// where a refused reply leaves nothing to release.
@SuppressWarnings({"UnusedMethod", "UnusedVariable"})
public final class FuseMount implements AutoCloseable {
    private static final MemorySegment NULL = MemorySegment.NULL;
    /** Long enough for any name (the kernel caps them at 1,024 bytes) or symlink target (4,096). */
    private static final long MAX_CSTRING = 8192;

    private final LowLevelFileSystem fs;
    private final Consumer<String> log;
    private final Arena arena = Arena.ofShared();
    private final double timeout;
    private final MemorySegment session;
    private final MemorySegment stat;
    private final MemorySegment entry;
    private final MemorySegment statvfs;
    private final MemorySegment cName;
    private final long[] handle = new long[1];
    private MemorySegment ioBuffer;
    private boolean mounted;
    private boolean closed;
    private boolean exiting;
    private Path mountPoint;

    /** Where it is mounted (null once unmounted). */
    public Path mountPoint() {
        return mountPoint;
    }

    /** The struct fuse_args handed to fuse_session_new. */
    private final MemorySegment args;

    private FuseMount(LowLevelFileSystem fs, List<String> options, Consumer<String> log) {
        this.fs = fs;
        this.log = log;
        this.timeout = fs.cacheTimeoutSeconds();
        this.stat = arena.allocate(Structs.STAT_SIZE, 8);
        this.entry = arena.allocate(Structs.ENTRY_SIZE, 8);
        this.statvfs = arena.allocate(Structs.STATVFS_SIZE, 8);
        this.cName = arena.allocate(MAX_CSTRING);
        this.ioBuffer = arena.allocate(1 << 20, 4096);
        MemorySegment ops = upcalls();
        MemorySegment args = arena.allocate(Structs.ARGS_SIZE, 8);
        String[] argv = options.isEmpty() ? new String[] {"cask"} : new String[] {"cask", "-o", String.join(",", options)};
        MemorySegment argvArray = arena.allocate(ADDRESS, argv.length + 1);
        for (int i = 0; i < argv.length; i++) argvArray.setAtIndex(ADDRESS, i, arena.allocateFrom(argv[i]));
        args.set(JAVA_INT, 0, argv.length);
        args.set(ADDRESS, 8, argvArray);
        args.set(JAVA_INT, 16, 0);
        try {
            this.session = (MemorySegment) LibFuse.SESSION_NEW.invokeExact(args, ops, (long) Structs.OPS_COUNT * 8, NULL);
        } catch (Throwable t) {
            throw new IllegalStateException("fuse_session_new: " + t, t);
        }
        this.args = args;
        if (session.equals(NULL)) {
            freeArgs();
            arena.close();
            throw new IllegalArgumentException("libfuse refused the options " + options + " (its message is above)");
        }
    }

    /** As {@link #mount(Path, List, LowLevelFileSystem, Consumer)}, reporting through {@code System.Logger} (warnings of dev.cask.fs.fuse). */
    public static FuseMount mount(Path mountPoint, List<String> options, LowLevelFileSystem fs) {
        System.Logger logger = System.getLogger(FuseMount.class.getName());
        return mount(mountPoint, options, fs, message -> logger.log(System.Logger.Level.WARNING, message));
    }

    /** Creates the session and mounts it on {@code mountPoint}; requests are served once {@link #loop} runs. */
    public static FuseMount mount(Path mountPoint, List<String> options, LowLevelFileSystem fs, Consumer<String> log) {
        LibFuse.load();
        FuseMount mount = new FuseMount(fs, options, log);
        int rc;
        try {
            rc = (int) LibFuse.SESSION_MOUNT.invokeExact(mount.session, mount.arena.allocateFrom(mountPoint.toString()));
        } catch (Throwable t) {
            throw new IllegalStateException("fuse_session_mount: " + t, t);
        }
        if (rc != 0) {
            mount.close();
            throw new IllegalStateException("could not mount on " + mountPoint + " (libfuse's message is above)");
        }
        mount.mounted = true;
        mount.mountPoint = mountPoint;
        return mount;
    }

    /** Serves requests until the file system is unmounted or {@link #exit} is called; returns libfuse's result. */
    public int loop() {
        try {
            return (int) LibFuse.SESSION_LOOP.invokeExact(session);
        } catch (Throwable t) {
            throw new IllegalStateException("fuse_session_loop: " + t, t);
        }
    }

    /**
     * From any thread: ends the loop (SIGTERM and Ctrl-C come here). Nothing here touches the
     * session's descriptor: unmounting through the session closed it while the loop could still
     * read or reply on its number, which the next file opened (a segment) may have been given. The
     * mount is unmounted from outside ({@code fusermount3 -u}), which ends the connection and so the
     * loop's read; if the mount is busy (a shell has its working directory inside), the connection
     * is aborted through fusectl and the mount point detached lazily. {@link #close}, on the loop's
     * thread once {@link #loop} returned, releases the session.
     */
    public void exit() {
        synchronized (this) {
            if (closed || exiting) return;
            exiting = true;
        }
        try {
            LibFuse.SESSION_EXIT.invokeExact(session);
        } catch (Throwable t) {
            log.accept("fuse_session_exit: " + t);
        }
        if (fusermount("-u")) return; // the kernel ends the connection: the loop's read returns
        abortConnection(); // busy (a working directory inside): end the connection, so the loop returns at once
        fusermount("-u", "-z"); // and detach the mount point, which goes once the last user lets go
    }

    /** Writes to {@code /sys/fs/fuse/connections/N/abort}, N being the mount's device minor; false if that cannot be done. */
    private boolean abortConnection() {
        try {
            // the device from /proc/self/mountinfo, not from a stat of the mount point: that would be a FUSE request itself
            String where = mountPoint.toAbsolutePath().normalize().toString().replace(" ", "\\040");
            String minor = null;
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4 && f[4].equals(where)) minor = f[2].substring(f[2].indexOf(':') + 1);
            }
            if (minor == null) return false;
            Path abort = Path.of("/sys/fs/fuse/connections", minor, "abort");
            if (!java.nio.file.Files.exists(abort)) mountFusectl(); // systemd mounts it; a bare container may not have
            if (!java.nio.file.Files.exists(abort)) return false;
            java.nio.file.Files.writeString(abort, "1");
            return true;
        } catch (java.io.IOException | RuntimeException e) {
            log.accept("could not abort the FUSE connection (" + e + "); detaching the mount point lazily");
            return false;
        }
    }

    /** Mounts the FUSE control file system where it belongs, if this process may (root); best effort. */
    private void mountFusectl() {
        try {
            new ProcessBuilder("mount", "-t", "fusectl", "fusectl", "/sys/fs/fuse/connections").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.io.IOException e) {
            log.accept("could not mount fusectl: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs fusermount3 with {@code flags} on the mount point; true if it succeeded. */
    private boolean fusermount(String... flags) {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("fusermount3"));
        command.addAll(java.util.List.of(flags));
        command.add(mountPoint.toString());
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException e) {
            log.accept(String.join(" ", command) + ": " + e);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private synchronized void unmount() throws Throwable {
        if (mounted) {
            mounted = false;
            LibFuse.SESSION_UNMOUNT.invokeExact(session);
        }
    }

    /**
     * Tells the kernel to drop what it cached of an inode's attributes and pages. Not to be called
     * from inside an upcall for the same inode: the kernel may hold a lock that waits for the reply.
     */
    public int invalidateInode(long ino) {
        try {
            return (int) LibFuse.NOTIFY_INVAL_INODE.invokeExact(session, ino, 0L, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("fuse_lowlevel_notify_inval_inode: " + t, t);
        }
    }

    /** Tells the kernel to forget a cached name in a directory; same caveat as {@link #invalidateInode}. */
    public int invalidateEntry(long parent, byte[] name) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment c = call.allocate(name.length + 1L);
            MemorySegment.copy(name, 0, c, JAVA_BYTE, 0, name.length);
            return (int) LibFuse.NOTIFY_INVAL_ENTRY.invokeExact(session, parent, c, (long) name.length);
        } catch (Throwable t) {
            throw new IllegalStateException("fuse_lowlevel_notify_inval_entry: " + t, t);
        }
    }

    /** Unmounts if still mounted and destroys the session (the file system's destroy runs here). */
    @Override
    public synchronized void close() {
        if (closed) return;
        try {
            unmount();
            LibFuse.SESSION_DESTROY.invokeExact(session);
        } catch (Throwable t) {
            log.accept("fuse_session_destroy: " + t);
        } finally {
            closed = true;
            freeArgs();
            arena.close();
        }
    }

    /**
     * fuse_session_new parses the options in {@link #args} and may leave a newly allocated argv
     * there (its {@code allocated} flag says so); as libfuse's own examples do, it is freed once the
     * session is gone.
     */
    private void freeArgs() {
        try {
            LibFuse.OPT_FREE_ARGS.invokeExact(args);
        } catch (Throwable t) {
            log.accept("fuse_opt_free_args: " + t);
        }
    }

    // ---- the upcall table ----

    private MemorySegment upcalls() {
        MemorySegment ops = arena.allocate((long) Structs.OPS_COUNT * 8, 8);
        ops.fill((byte) 0); // a NULL slot answers ENOSYS: xattrs, access (default_permissions checks), locks, ioctl...
        slot(ops, 0, "init", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        slot(ops, 1, "destroy", FunctionDescriptor.ofVoid(ADDRESS));
        slot(ops, 2, "lookup", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
        slot(ops, 3, "forget", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG));
        slot(ops, 4, "getattr", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
        slot(ops, 5, "setattr", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS));
        slot(ops, 6, "readlink", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG));
        slot(ops, 7, "mknod", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_LONG));
        slot(ops, 8, "mkdir", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT));
        slot(ops, 9, "unlink", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
        slot(ops, 10, "rmdir", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
        slot(ops, 11, "symlink", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
        slot(ops, 12, "rename", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT));
        slot(ops, 13, "link", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
        slot(ops, 14, "open", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
        slot(ops, 15, "read", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS));
        slot(ops, 16, "write", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
        slot(ops, 17, "flush", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
        slot(ops, 18, "release", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
        slot(ops, 19, "fsync", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS));
        slot(ops, 20, "opendir", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
        slot(ops, 21, "readdir", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS));
        slot(ops, 22, "releasedir", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
        slot(ops, 23, "fsyncdir", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS));
        slot(ops, 24, "statfs", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG));
        slot(ops, 30, "create", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS));
        slot(ops, 38, "forgetMulti", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
        slot(ops, 40, "fallocate", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS));
        slot(ops, 41, "readdirplus", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS));
        return ops;
    }

    private void slot(MemorySegment ops, int index, String method, FunctionDescriptor fd) {
        try {
            MethodType type = fd.toMethodType();
            MethodHandle target = MethodHandles.lookup().findVirtual(FuseMount.class, method, type).bindTo(this);
            ops.setAtIndex(ADDRESS, index, Linker.nativeLinker().upcallStub(target, fd, arena));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no upcall method " + method, e);
        }
    }

    // ---- upcalls: each replies exactly once, last ----

    private void init(MemorySegment userdata, MemorySegment conn) {
        try {
            // struct fuse_conn_info: capable @20, want @24 (fuse_common.h)
            MemorySegment c = conn.reinterpret(Structs.CONN_INFO_SIZE);
            boolean writeback = fs.writebackCache() && (c.get(JAVA_INT, 20) & Structs.CAP_WRITEBACK_CACHE) != 0;
            if (writeback) c.set(JAVA_INT, 24, c.get(JAVA_INT, 24) | Structs.CAP_WRITEBACK_CACHE);
            fs.init(writeback);
        } catch (Throwable t) {
            log.accept("init failed: " + t);
        }
    }

    private void destroy(MemorySegment userdata) {
        try {
            fs.destroy();
        } catch (Throwable t) {
            log.accept("destroy failed: " + t);
        }
    }

    private void lookup(MemorySegment req, long parent, MemorySegment name) {
        try {
            replyEntry(req, fs.lookup(caller(req), parent, bytes(name)));
        } catch (Throwable t) {
            fail(req, "lookup", parent, t);
        }
    }

    private void forget(MemorySegment req, long ino, long nlookup) {
        try {
            fs.forget(ino, nlookup);
        } catch (Throwable t) {
            log.accept("forget of inode " + ino + " failed: " + t);
        }
        none(req);
    }

    private void forgetMulti(MemorySegment req, long count, MemorySegment forgets) {
        MemorySegment all = forgets.reinterpret(count * Structs.FORGET_DATA_SIZE);
        for (long i = 0; i < count; i++) {
            long ino = all.get(JAVA_LONG, i * Structs.FORGET_DATA_SIZE);
            try {
                fs.forget(ino, all.get(JAVA_LONG, i * Structs.FORGET_DATA_SIZE + 8));
            } catch (Throwable t) {
                log.accept("forget of inode " + ino + " failed: " + t);
            }
        }
        none(req);
    }

    private void getattr(MemorySegment req, long ino, MemorySegment fi) {
        try {
            replyAttr(req, fs.getattr(ino));
        } catch (Throwable t) {
            fail(req, "getattr", ino, t);
        }
    }

    private void setattr(MemorySegment req, long ino, MemorySegment attr, int toSet, MemorySegment fi) {
        try {
            replyAttr(req, fs.setattr(caller(req), ino, Structs.readSetAttr(attr.reinterpret(Structs.STAT_SIZE), toSet)));
        } catch (Throwable t) {
            fail(req, "setattr", ino, t);
        }
    }

    private void readlink(MemorySegment req, long ino) {
        try {
            byte[] target = fs.readlink(ino);
            int rc = (int) LibFuse.REPLY_READLINK.invokeExact(req, cString(target));
        } catch (Throwable t) {
            fail(req, "readlink", ino, t);
        }
    }

    private void mknod(MemorySegment req, long parent, MemorySegment name, int mode, long rdev) {
        try {
            replyEntry(req, fs.mknod(caller(req), parent, bytes(name), mode, rdev));
        } catch (Throwable t) {
            fail(req, "mknod", parent, t);
        }
    }

    private void mkdir(MemorySegment req, long parent, MemorySegment name, int mode) {
        try {
            replyEntry(req, fs.mkdir(caller(req), parent, bytes(name), mode));
        } catch (Throwable t) {
            fail(req, "mkdir", parent, t);
        }
    }

    private void unlink(MemorySegment req, long parent, MemorySegment name) {
        try {
            fs.unlink(caller(req), parent, bytes(name));
            ok(req);
        } catch (Throwable t) {
            fail(req, "unlink", parent, t);
        }
    }

    private void rmdir(MemorySegment req, long parent, MemorySegment name) {
        try {
            fs.rmdir(caller(req), parent, bytes(name));
            ok(req);
        } catch (Throwable t) {
            fail(req, "rmdir", parent, t);
        }
    }

    private void symlink(MemorySegment req, MemorySegment target, long parent, MemorySegment name) {
        try {
            replyEntry(req, fs.symlink(caller(req), bytes(target), parent, bytes(name)));
        } catch (Throwable t) {
            fail(req, "symlink", parent, t);
        }
    }

    private void rename(MemorySegment req, long parent, MemorySegment name, long newParent, MemorySegment newName, int flags) {
        try {
            fs.rename(caller(req), parent, bytes(name), newParent, bytes(newName), flags);
            ok(req);
        } catch (Throwable t) {
            fail(req, "rename", parent, t);
        }
    }

    private void link(MemorySegment req, long ino, long newParent, MemorySegment newName) {
        try {
            replyEntry(req, fs.link(caller(req), ino, newParent, bytes(newName)));
        } catch (Throwable t) {
            fail(req, "link", ino, t);
        }
    }

    private void open(MemorySegment req, long ino, MemorySegment fi) {
        try {
            MemorySegment info = fi.reinterpret(Structs.FILE_INFO_SIZE);
            long fh = fs.open(caller(req), ino, Structs.openFlags(info));
            Structs.setOpened(info, fh, true);
            int rc = (int) LibFuse.REPLY_OPEN.invokeExact(req, info);
            if (rc != 0) fs.release(ino, fh); // the kernel never got the handle (an interrupted request): nobody would release it
        } catch (Throwable t) {
            fail(req, "open", ino, t);
        }
    }

    private void read(MemorySegment req, long ino, long size, long offset, MemorySegment fi) {
        try {
            long fh = Structs.fh(fi.reinterpret(Structs.FILE_INFO_SIZE));
            MemorySegment into = buffer(size);
            int n = fs.read(ino, fh, offset, into);
            int rc = (int) LibFuse.REPLY_BUF.invokeExact(req, into, (long) n);
        } catch (Throwable t) {
            fail(req, "read", ino, t);
        }
    }

    private void write(MemorySegment req, long ino, MemorySegment buf, long size, long offset, MemorySegment fi) {
        try {
            long fh = Structs.fh(fi.reinterpret(Structs.FILE_INFO_SIZE));
            int n = fs.write(ino, fh, offset, buf.reinterpret(size));
            int rc = (int) LibFuse.REPLY_WRITE.invokeExact(req, (long) n);
        } catch (Throwable t) {
            fail(req, "write", ino, t);
        }
    }

    private void flush(MemorySegment req, long ino, MemorySegment fi) {
        try {
            fs.flush(ino, Structs.fh(fi.reinterpret(Structs.FILE_INFO_SIZE)));
            ok(req);
        } catch (Throwable t) {
            fail(req, "flush", ino, t);
        }
    }

    private void release(MemorySegment req, long ino, MemorySegment fi) {
        try {
            fs.release(ino, Structs.fh(fi.reinterpret(Structs.FILE_INFO_SIZE)));
            ok(req);
        } catch (Throwable t) {
            fail(req, "release", ino, t);
        }
    }

    private void fsync(MemorySegment req, long ino, int datasync, MemorySegment fi) {
        try {
            fs.fsync(ino, Structs.fh(fi.reinterpret(Structs.FILE_INFO_SIZE)), datasync != 0);
            ok(req);
        } catch (Throwable t) {
            fail(req, "fsync", ino, t);
        }
    }

    private void opendir(MemorySegment req, long ino, MemorySegment fi) {
        try {
            MemorySegment info = fi.reinterpret(Structs.FILE_INFO_SIZE);
            long fh = fs.opendir(caller(req), ino);
            Structs.setOpened(info, fh, false);
            int rc = (int) LibFuse.REPLY_OPEN.invokeExact(req, info);
            if (rc != 0) fs.releasedir(ino, fh);
        } catch (Throwable t) {
            fail(req, "opendir", ino, t);
        }
    }

    private void readdir(MemorySegment req, long ino, long size, long offset, MemorySegment fi) {
        listDirectory(req, ino, size, offset, fi, false);
    }

    private void readdirplus(MemorySegment req, long ino, long size, long offset, MemorySegment fi) {
        listDirectory(req, ino, size, offset, fi, true);
    }

    private void listDirectory(MemorySegment req, long ino, long size, long offset, MemorySegment fi, boolean plus) {
        try {
            long fh = Structs.fh(fi.reinterpret(Structs.FILE_INFO_SIZE));
            MemorySegment buf = buffer(size);
            long[] used = {0};
            List<Long> referenced = new ArrayList<>(); // readdirplus entries other than . and .. count a lookup each
            fs.readdir(ino, fh, offset, plus, (name, attr, next) -> {
                MemorySegment c = cString(name);
                long room = size - used[0];
                long need;
                try {
                    if (plus) {
                        Structs.writeEntry(entry, attr, timeout);
                        need = (long) LibFuse.ADD_DIRENTRY_PLUS.invokeExact(req, buf.asSlice(used[0]), room, c, entry, next);
                    } else {
                        Structs.writeStat(stat, attr);
                        need = (long) LibFuse.ADD_DIRENTRY.invokeExact(req, buf.asSlice(used[0]), room, c, stat, next);
                    }
                } catch (Throwable t) {
                    throw new IllegalStateException("fuse_add_direntry: " + t, t);
                }
                if (need > room) return false; // not written: the next readdir starts with this entry
                used[0] += need;
                if (plus && !isDotOrDotDot(name)) referenced.add(attr.ino());
                return true;
            });
            int rc = (int) LibFuse.REPLY_BUF.invokeExact(req, buf, used[0]);
            if (rc != 0) for (long child : referenced) fs.forget(child, 1); // the kernel never saw these entries
        } catch (Throwable t) {
            fail(req, plus ? "readdirplus" : "readdir", ino, t);
        }
    }

    private void releasedir(MemorySegment req, long ino, MemorySegment fi) {
        try {
            fs.releasedir(ino, Structs.fh(fi.reinterpret(Structs.FILE_INFO_SIZE)));
            ok(req);
        } catch (Throwable t) {
            fail(req, "releasedir", ino, t);
        }
    }

    private void fsyncdir(MemorySegment req, long ino, int datasync, MemorySegment fi) {
        try {
            fs.fsyncdir(ino, Structs.fh(fi.reinterpret(Structs.FILE_INFO_SIZE)));
            ok(req);
        } catch (Throwable t) {
            fail(req, "fsyncdir", ino, t);
        }
    }

    private void statfs(MemorySegment req, long ino) {
        try {
            Structs.writeStatFs(statvfs, fs.statfs());
            int rc = (int) LibFuse.REPLY_STATFS.invokeExact(req, statvfs);
        } catch (Throwable t) {
            fail(req, "statfs", ino, t);
        }
    }

    private void create(MemorySegment req, long parent, MemorySegment name, int mode, MemorySegment fi) {
        try {
            MemorySegment info = fi.reinterpret(Structs.FILE_INFO_SIZE);
            Attr attr = fs.create(caller(req), parent, bytes(name), mode, Structs.openFlags(info), handle);
            Structs.setOpened(info, handle[0], true);
            Structs.writeEntry(entry, attr, timeout);
            int rc = (int) LibFuse.REPLY_CREATE.invokeExact(req, entry, info);
            if (rc != 0) { // the kernel got neither the entry nor the handle
                fs.release(attr.ino(), handle[0]);
                fs.forget(attr.ino(), 1);
            }
        } catch (Throwable t) {
            fail(req, "create", parent, t);
        }
    }

    private void fallocate(MemorySegment req, long ino, int mode, long offset, long length, MemorySegment fi) {
        try {
            fs.fallocate(ino, Structs.fh(fi.reinterpret(Structs.FILE_INFO_SIZE)), mode, offset, length);
            ok(req);
        } catch (Throwable t) {
            fail(req, "fallocate", ino, t);
        }
    }

    // ---- helpers ----

    private static boolean isDotOrDotDot(byte[] name) {
        return (name.length == 1 && name[0] == '.') || (name.length == 2 && name[0] == '.' && name[1] == '.');
    }

    private Caller caller(MemorySegment req) throws Throwable {
        MemorySegment ctx = (MemorySegment) LibFuse.REQ_CTX.invokeExact(req);
        return Structs.caller(ctx.reinterpret(Structs.CTX_SIZE));
    }

    private void replyEntry(MemorySegment req, Attr attr) throws Throwable {
        Structs.writeEntry(entry, attr, timeout);
        int rc = (int) LibFuse.REPLY_ENTRY.invokeExact(req, entry);
        if (rc != 0) fs.forget(attr.ino(), 1); // the kernel never took the reference the lookup counted: it would never forget it
    }

    private void replyAttr(MemorySegment req, Attr attr) throws Throwable {
        Structs.writeStat(stat, attr);
        int rc = (int) LibFuse.REPLY_ATTR.invokeExact(req, stat, timeout);
    }

    private void ok(MemorySegment req) throws Throwable {
        int rc = (int) LibFuse.REPLY_ERR.invokeExact(req, 0);
    }

    private void none(MemorySegment req) {
        try {
            LibFuse.REPLY_NONE.invokeExact(req);
        } catch (Throwable t) {
            log.accept("fuse_reply_none: " + t);
        }
    }

    /** The one error path: an {@link Errno} is an answer; anything else is a bug or an I/O failure, logged and answered EIO. */
    private void fail(MemorySegment req, String op, long ino, Throwable t) {
        int errno;
        if (t instanceof Errno e) {
            errno = e.errno();
        } else {
            errno = Errno.EIO;
            log.accept(op + " on inode " + ino + " failed, answered EIO: " + t);
        }
        try {
            int rc = (int) LibFuse.REPLY_ERR.invokeExact(req, errno);
        } catch (Throwable again) {
            log.accept("fuse_reply_err: " + again);
        }
    }

    private MemorySegment buffer(long size) {
        if (ioBuffer.byteSize() < size) ioBuffer = arena.allocate(Long.highestOneBit(size) << 1, 4096);
        return ioBuffer.asSlice(0, size);
    }

    private MemorySegment cString(byte[] bytes) {
        if (bytes.length >= MAX_CSTRING) throw new Errno(Errno.ENAMETOOLONG, "name of " + bytes.length + " bytes");
        MemorySegment.copy(bytes, 0, cName, JAVA_BYTE, 0, bytes.length);
        cName.set(JAVA_BYTE, bytes.length, (byte) 0);
        return cName;
    }

    /** The bytes of a NUL-terminated string the kernel passed. */
    private static byte[] bytes(MemorySegment cstring) {
        MemorySegment s = cstring.reinterpret(MAX_CSTRING);
        long n = 0;
        while (s.get(JAVA_BYTE, n) != 0) {
            if (++n == MAX_CSTRING) throw new Errno(Errno.ENAMETOOLONG, "unterminated name");
        }
        return s.asSlice(0, n).toArray(JAVA_BYTE);
    }
}

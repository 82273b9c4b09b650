package dev.cask.fs.fuse;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * libfuse3's entry points, bound with {@code java.lang.foreign}. The library is loaded by its full
 * file name: the JDK's library path does not include Debian's multiarch directory, and the
 * unversioned libfuse3.so comes only with libfuse3-dev.
 */
final class LibFuse {
    private static final List<String> SEARCH = List.of("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib",
            "/usr/local/lib");
    private static final String NAME = "libfuse3.so.3";

    static final MethodHandle SESSION_NEW;
    static final MethodHandle SESSION_MOUNT;
    static final MethodHandle SESSION_LOOP;
    static final MethodHandle SESSION_EXIT;
    static final MethodHandle SESSION_UNMOUNT;
    static final MethodHandle SESSION_DESTROY;
    static final MethodHandle REPLY_ERR;
    static final MethodHandle REPLY_NONE;
    static final MethodHandle REPLY_ENTRY;
    static final MethodHandle OPT_FREE_ARGS;
    static final MethodHandle REPLY_CREATE;
    static final MethodHandle REPLY_ATTR;
    static final MethodHandle REPLY_READLINK;
    static final MethodHandle REPLY_OPEN;
    static final MethodHandle REPLY_WRITE;
    static final MethodHandle REPLY_BUF;
    static final MethodHandle REPLY_STATFS;
    static final MethodHandle ADD_DIRENTRY;
    static final MethodHandle ADD_DIRENTRY_PLUS;
    static final MethodHandle REQ_CTX;
    static final MethodHandle NOTIFY_INVAL_INODE;
    static final MethodHandle NOTIFY_INVAL_ENTRY;

    /**
     * The handles are static finals on purpose: the JIT folds a constant handle into a direct
     * call, while one read from an instance field is re-resolved on every call. Measured: creates
     * through the mount fell from ~10,000/s to ~3,500/s once the JIT settled with instance fields.
     */
    private static final SymbolLookup LIB = lookup();

    static {
        SESSION_NEW = bind(LIB, "fuse_session_new", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
        SESSION_MOUNT = bind(LIB, "fuse_session_mount", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        SESSION_LOOP = bind(LIB, "fuse_session_loop", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        SESSION_EXIT = bind(LIB, "fuse_session_exit", FunctionDescriptor.ofVoid(ADDRESS));
        SESSION_UNMOUNT = bind(LIB, "fuse_session_unmount", FunctionDescriptor.ofVoid(ADDRESS));
        SESSION_DESTROY = bind(LIB, "fuse_session_destroy", FunctionDescriptor.ofVoid(ADDRESS));
        REPLY_ERR = bind(LIB, "fuse_reply_err", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        REPLY_NONE = bind(LIB, "fuse_reply_none", FunctionDescriptor.ofVoid(ADDRESS));
        REPLY_ENTRY = bind(LIB, "fuse_reply_entry", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        OPT_FREE_ARGS = bind(LIB, "fuse_opt_free_args", FunctionDescriptor.ofVoid(ADDRESS));
        REPLY_CREATE = bind(LIB, "fuse_reply_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        REPLY_ATTR = bind(LIB, "fuse_reply_attr", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_DOUBLE));
        REPLY_READLINK = bind(LIB, "fuse_reply_readlink", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        REPLY_OPEN = bind(LIB, "fuse_reply_open", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        REPLY_WRITE = bind(LIB, "fuse_reply_write", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        REPLY_BUF = bind(LIB, "fuse_reply_buf", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        REPLY_STATFS = bind(LIB, "fuse_reply_statfs", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        ADD_DIRENTRY = bind(LIB, "fuse_add_direntry", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
        ADD_DIRENTRY_PLUS = bind(LIB, "fuse_add_direntry_plus", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
        REQ_CTX = bind(LIB, "fuse_req_ctx", FunctionDescriptor.of(ADDRESS, ADDRESS));
        NOTIFY_INVAL_INODE = bind(LIB, "fuse_lowlevel_notify_inval_inode", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG));
        NOTIFY_INVAL_ENTRY = bind(LIB, "fuse_lowlevel_notify_inval_entry", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG));
    }

    private LibFuse() {
    }

    /** Loads libfuse3 (once), or says what to install. */
    static void load() {
        String arch = System.getProperty("os.arch");
        if (!System.getProperty("os.name").equals("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            // Structs holds x86_64 glibc offsets (struct stat, fuse_file_info): elsewhere they would misread memory
            throw new IllegalStateException("cask mount is built for x86_64 Linux (its struct layouts are that ABI's), not "
                    + System.getProperty("os.name") + " on " + arch);
        }
        try {
            Class.forName(LibFuse.class.getName(), true, LibFuse.class.getClassLoader());
        } catch (ExceptionInInitializerError e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (NoClassDefFoundError e) {
            throw new IllegalStateException(NAME + " could not be loaded earlier in this process: " + e.getMessage(), e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SymbolLookup lookup() {
        for (String dir : SEARCH) {
            Path path = Path.of(dir, NAME);
            if (Files.exists(path)) return SymbolLookup.libraryLookup(path, Arena.global());
        }
        throw new IllegalStateException(NAME + " not found in " + SEARCH + ": install libfuse3 (Debian: apt-get install fuse3)");
    }

    private static MethodHandle bind(SymbolLookup lib, String name, FunctionDescriptor fd) {
        MemorySegment symbol = lib.find(name).orElseThrow(() -> new IllegalStateException(NAME + " has no symbol " + name));
        return Linker.nativeLinker().downcallHandle(symbol, fd);
    }
}

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
    private static final List<String> SEARCH = List.of("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib");
    private static final String NAME = "libfuse3.so.3";

    final MethodHandle sessionNew;
    final MethodHandle sessionMount;
    final MethodHandle sessionLoop;
    final MethodHandle sessionExit;
    final MethodHandle sessionUnmount;
    final MethodHandle sessionDestroy;
    final MethodHandle replyErr;
    final MethodHandle replyNone;
    final MethodHandle replyEntry;
    final MethodHandle replyCreate;
    final MethodHandle replyAttr;
    final MethodHandle replyReadlink;
    final MethodHandle replyOpen;
    final MethodHandle replyWrite;
    final MethodHandle replyBuf;
    final MethodHandle replyStatfs;
    final MethodHandle addDirentry;
    final MethodHandle addDirentryPlus;
    final MethodHandle reqCtx;
    final MethodHandle notifyInvalInode;
    final MethodHandle notifyInvalEntry;

    private LibFuse(SymbolLookup lib) {
        sessionNew = bind(lib, "fuse_session_new", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
        sessionMount = bind(lib, "fuse_session_mount", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        sessionLoop = bind(lib, "fuse_session_loop", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        sessionExit = bind(lib, "fuse_session_exit", FunctionDescriptor.ofVoid(ADDRESS));
        sessionUnmount = bind(lib, "fuse_session_unmount", FunctionDescriptor.ofVoid(ADDRESS));
        sessionDestroy = bind(lib, "fuse_session_destroy", FunctionDescriptor.ofVoid(ADDRESS));
        replyErr = bind(lib, "fuse_reply_err", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        replyNone = bind(lib, "fuse_reply_none", FunctionDescriptor.ofVoid(ADDRESS));
        replyEntry = bind(lib, "fuse_reply_entry", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        replyCreate = bind(lib, "fuse_reply_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        replyAttr = bind(lib, "fuse_reply_attr", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_DOUBLE));
        replyReadlink = bind(lib, "fuse_reply_readlink", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        replyOpen = bind(lib, "fuse_reply_open", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        replyWrite = bind(lib, "fuse_reply_write", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        replyBuf = bind(lib, "fuse_reply_buf", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        replyStatfs = bind(lib, "fuse_reply_statfs", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        addDirentry = bind(lib, "fuse_add_direntry", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
        addDirentryPlus = bind(lib, "fuse_add_direntry_plus", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
        reqCtx = bind(lib, "fuse_req_ctx", FunctionDescriptor.of(ADDRESS, ADDRESS));
        notifyInvalInode = bind(lib, "fuse_lowlevel_notify_inval_inode", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG));
        notifyInvalEntry = bind(lib, "fuse_lowlevel_notify_inval_entry", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG));
    }

    /** Loads libfuse3, or says what to install. */
    static LibFuse load() {
        for (String dir : SEARCH) {
            Path path = Path.of(dir, NAME);
            if (Files.exists(path)) return new LibFuse(SymbolLookup.libraryLookup(path, Arena.global()));
        }
        throw new IllegalStateException(NAME + " not found in " + SEARCH + ": install libfuse3 (Debian: apt-get install fuse3)");
    }

    private static MethodHandle bind(SymbolLookup lib, String name, FunctionDescriptor fd) {
        MemorySegment symbol = lib.find(name).orElseThrow(() -> new IllegalStateException(NAME + " has no symbol " + name));
        return Linker.nativeLinker().downcallHandle(symbol, fd);
    }
}

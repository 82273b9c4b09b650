package dev.cask.core.io;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * {@code fallocate(2)}: gives a range of a file real disk blocks (unwritten extents, so nothing is
 * written and they read as zeros) before the engine writes it through a shared mapping. A store
 * into a mapped hole on a full disk is a SIGBUS, which the JVM cannot turn back into an error the
 * put could report; a store into allocated blocks cannot fail for space. So a mapping only ever
 * covers what this reserved, and a full disk is an {@link IOException} here, before any copy.
 *
 * <p>Only where the JVM grants this module native access ({@code --enable-native-access}, which
 * the cask jar's manifest and the test runner give): elsewhere {@link #AVAILABLE} is false and the
 * engine writes with {@code pwrite}, as it did before, and the JDK prints no warning.
 */
final class Fallocate {
    private static final int O_WRONLY = 1;
    private static final int O_CLOEXEC = 0x80000;
    private static final int EINTR = 4;
    private static final int ENOSPC = 28;

    private static final MethodHandle OPEN;
    private static final MethodHandle FALLOCATE;
    private static final MethodHandle CLOSE;
    private static final MemoryLayout CALL_STATE;
    private static final VarHandle ERRNO;

    /** Whether this JVM lets the engine call {@code fallocate}: on Linux, with native access granted. */
    static final boolean AVAILABLE;

    static {
        MethodHandle open = null;
        MethodHandle fallocate = null;
        MethodHandle close = null;
        MemoryLayout state = null;
        VarHandle errno = null;
        boolean available = false;
        if (System.getProperty("os.name", "").equals("Linux") && Fallocate.class.getModule().isNativeAccessEnabled()
                && !Boolean.getBoolean("cask.noMappedWrites")) {
            try {
                Linker linker = Linker.nativeLinker();
                Linker.Option capture = Linker.Option.captureCallState("errno");
                state = Linker.Option.captureStateLayout();
                errno = state.varHandle(MemoryLayout.PathElement.groupElement("errno"));
                var libc = linker.defaultLookup();
                open = linker.downcallHandle(libc.find("open").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT),
                        capture, Linker.Option.firstVariadicArg(2));
                fallocate = linker.downcallHandle(libc.find("fallocate").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), capture);
                close = linker.downcallHandle(libc.find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
                available = true;
            } catch (RuntimeException | LinkageError e) {
                available = false; // no such symbols: plain writes
            }
        }
        OPEN = open;
        FALLOCATE = fallocate;
        CLOSE = close;
        CALL_STATE = state;
        ERRNO = errno;
        AVAILABLE = available;
    }

    private Fallocate() {}

    /**
     * A descriptor of {@code path} for {@link #reserve} (the channel's own is not reachable without
     * opening JDK internals); -1 if it cannot be opened, and then nothing is mapped for writes.
     */
    static int open(Path path) {
        if (!AVAILABLE) return -1;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return (int) OPEN.invokeExact(state, arena.allocateFrom(path.toString()), O_WRONLY | O_CLOEXEC);
        } catch (Throwable t) {
            return -1;
        }
    }

    /**
     * Allocates {@code [offset, offset + length)} of the file behind {@code fd}, growing it if the
     * range passes its end. Throws on any failure, with ENOSPC's text for a full disk; a file system
     * that cannot allocate (EOPNOTSUPP) fails too, and the caller then does not map that range.
     */
    static void reserve(int fd, long offset, long length, Path path) throws IOException {
        int rc;
        int error;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            do {
                rc = (int) FALLOCATE.invokeExact(state, fd, 0, offset, length);
                error = rc == 0 ? 0 : (int) ERRNO.get(state, 0L);
            } while (rc != 0 && error == EINTR);
        } catch (Throwable t) {
            throw new IOException("fallocate of " + path + " failed: " + t, t);
        }
        if (rc != 0) {
            String why = error == ENOSPC ? "No space left on device" : "errno " + error;
            throw new IOException("fallocate of " + length + " bytes at " + offset + " of " + path + ": " + why);
        }
    }

    static void close(int fd) {
        if (fd < 0) return;
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            // a descriptor used only for fallocate: nothing was written through it
        }
    }
}

package dev.cask.lab;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A file written with libc's {@code open}, {@code pwrite}, {@code fsync}, {@code fdatasync} and
 * {@code close}, bound with {@code java.lang.foreign}: the lab's raw writer makes exactly the
 * system calls fio makes. Through {@code FileChannel} each 4 KiB write without fsync cost about
 * 1 µs more than fio's (its interruptible-I/O bookkeeping), 21% of that row.
 */
final class PosixFile implements LabFile {
    // x86_64 and aarch64 Linux values, from <fcntl.h>
    private static final int O_WRONLY = 01;
    private static final int O_CREAT = 0100;
    private static final int O_DSYNC = 010000;
    private static final int O_SYNC = 04010000;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final MemoryLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_CAPTURE = Linker.Option.captureCallState("errno");
    private static final MethodHandle OPEN = handle("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), ERRNO_CAPTURE,
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle PWRITE = handle("pwrite", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), ERRNO_CAPTURE);
    private static final MethodHandle FSYNC = handle("fsync", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO_CAPTURE);
    private static final MethodHandle FDATASYNC = handle("fdatasync", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO_CAPTURE);
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO_CAPTURE);

    private final Path path;
    private final int fd;
    private final MemorySegment state = Arena.ofAuto().allocate(CALL_STATE);

    private static MethodHandle handle(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(() -> new IllegalStateException("libc has no " + name)), descriptor, options);
    }

    PosixFile(Path path, boolean openSync, boolean openDsync) throws IOException {
        this.path = path;
        int flags = O_WRONLY | O_CREAT | (openSync ? O_SYNC : 0) | (openDsync ? O_DSYNC : 0);
        try (Arena arena = Arena.ofConfined()) {
            fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path.toString()), flags, 0644);
        } catch (Throwable t) {
            throw new IOException("open " + path + ": " + t, t);
        }
        if (fd < 0) throw failure("open");
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
        if (!src.isDirect()) throw new IllegalArgumentException("PosixFile writes direct buffers only");
        MemorySegment bytes = MemorySegment.ofBuffer(src);
        long done = 0;
        while (done < bytes.byteSize()) {
            long n;
            try {
                n = (long) PWRITE.invokeExact(state, fd, bytes.asSlice(done), bytes.byteSize() - done, position + done);
            } catch (Throwable t) {
                throw new IOException("pwrite " + path + ": " + t, t);
            }
            if (n < 0) {
                if ((int) ERRNO.get(state, 0L) == EINTR) continue; // a signal before anything was written: write again
                throw failure("pwrite");
            }
            if (n == 0) throw new IOException("pwrite " + path + " wrote nothing at offset " + (position + done) + "; giving up rather than spin");
            done += n;
        }
        src.position(src.limit());
    }

    @Override
    public void force(boolean metadata) throws IOException {
        int rc;
        try {
            rc = metadata ? (int) FSYNC.invokeExact(state, fd) : (int) FDATASYNC.invokeExact(state, fd);
        } catch (Throwable t) {
            throw new IOException((metadata ? "fsync " : "fdatasync ") + path + ": " + t, t);
        }
        if (rc != 0) throw failure(metadata ? "fsync" : "fdatasync");
    }

    @Override
    public void close() throws IOException {
        int rc;
        try {
            rc = (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw new IOException("close " + path + ": " + t, t);
        }
        if (rc != 0) throw failure("close");
    }

    private static final int EINTR = 4;

    private IOException failure(String call) {
        int errno = (int) ERRNO.get(state, 0L);
        return new IOException(call + " " + path + " failed: errno " + errno);
    }
}

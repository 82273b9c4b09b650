package dev.cask.net.linux;

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
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The libc calls the native transports make, bound with {@code java.lang.foreign}: sockets,
 * epoll, eventfd, and the raw io_uring system calls. Constants and struct layouts are the x86_64
 * Linux ones from the kernel's uapi headers (epoll_event is packed there, and only there); on
 * any other architecture {@link #requireX86_64} refuses, and the server falls back to NIO. Every call captures errno; a failure becomes a
 * {@link NativeException} naming the call and errno, except EAGAIN, which callers handle.
 * One instance per thread (the errno capture buffer is not shared).
 */
final class Libc {
    static final int AF_INET = 2;
    static final int SOCK_STREAM = 1;
    static final int SOCK_NONBLOCK = 04000;
    static final int SOCK_CLOEXEC = 02000000;
    static final int SOL_SOCKET = 1;
    static final int SO_REUSEADDR = 2;
    static final int SO_LINGER = 13;
    static final int IPPROTO_TCP = 6;
    static final int TCP_NODELAY = 1;
    static final int SHUT_RDWR = 2;

    static final int EPOLL_CLOEXEC = 02000000;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLL_CTL_MOD = 3;
    static final int EPOLLIN = 0x001;
    static final int EPOLLOUT = 0x004;
    static final int EPOLLERR = 0x008;
    static final int EPOLLHUP = 0x010;
    static final int EPOLLRDHUP = 0x2000;
    static final int EPOLLET = 1 << 31;
    /** struct epoll_event is packed on x86_64: u32 events, u64 data. */
    static final int EPOLL_EVENT_SIZE = 12;

    static final int EFD_NONBLOCK = 04000;
    static final int EFD_CLOEXEC = 02000000;


    /** Throws, naming the architecture, unless this is x86_64 Linux: the layouts here are that ABI's. */
    static void requireX86_64(String what) {
        String arch = System.getProperty("os.arch");
        if (!System.getProperty("os.name").equals("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new UnsupportedOperationException(what + " is built for x86_64 Linux (its struct layouts are that ABI's), not "
                    + System.getProperty("os.name") + " on " + arch);
        }
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final MemoryLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_CAPTURE = Linker.Option.captureCallState("errno");

    private static final MethodHandle SOCKET = handle("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = handle("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle BIND_CALL = handle("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = handle("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle GETSOCKNAME = handle("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GETPEERNAME = handle("getpeername", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle ACCEPT4 = handle("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle READ = handle("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = handle("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SHUTDOWN = handle("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CREATE1 = handle("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL = handle("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_WAIT = handle("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD = handle("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle MMAP = handle("mmap", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = handle("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle SYSCALL6 = LINKER.downcallHandle(LIBC.find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            ERRNO_CAPTURE, Linker.Option.firstVariadicArg(1));

    private final Arena arena = Arena.ofAuto();
    private final MemorySegment state = arena.allocate(CALL_STATE);
    private final MemorySegment intArg = arena.allocate(JAVA_INT);
    private final MemorySegment sockaddr = arena.allocate(16);
    private final MemorySegment socklen = arena.allocate(JAVA_INT);
    private final MemorySegment event = arena.allocate(EPOLL_EVENT_SIZE);

    private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(() -> new IllegalStateException("libc has no " + name)), descriptor, ERRNO_CAPTURE);
    }

    int errno() {
        return (int) ERRNO.get(state, 0L);
    }

    private NativeException failure(String call) {
        return new NativeException(call, errno());
    }

    /** A non-blocking IPv4 listening socket bound to {@code address}; returns its fd. */
    int listen(InetSocketAddress address, int backlog) throws NativeException {
        InetAddress ip = address.getAddress();
        if (!(ip instanceof Inet4Address)) throw new NativeException("bind: the native transports take IPv4 addresses only, not " + ip, 0);
        int fd;
        try {
            fd = check("socket", (int) SOCKET.invokeExact(state, AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
        try {
            setIntOption(fd, SOL_SOCKET, SO_REUSEADDR, 1);
            writeSockaddr(ip.getAddress(), address.getPort());
            check("bind " + address, call(BIND_CALL, fd, sockaddr, 16));
            check("listen", call2(LISTEN, fd, backlog));
            return fd;
        } catch (NativeException e) {
            close(fd);
            throw e;
        }
    }

    void setIntOption(int fd, int level, int option, int value) throws NativeException {
        intArg.set(JAVA_INT, 0, value);
        int r;
        try {
            r = (int) SETSOCKOPT.invokeExact(state, fd, level, option, intArg, 4);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check("setsockopt", r);
    }

    /** SO_LINGER {on, 0 s}: the next close sends a reset and drops unsent data. */
    void lingerZero(int fd) {
        MemorySegment linger = sockaddr; // struct linger {int l_onoff; int l_linger}: 8 bytes of the scratch buffer
        linger.set(JAVA_INT, 0, 1);
        linger.set(JAVA_INT, 4, 0);
        try {
            int ignored = (int) SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_LINGER, linger, 8); // best effort: closing anyway
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The port a socket is bound to. */
    int localPort(int fd) throws NativeException {
        socklen.set(JAVA_INT, 0, 16);
        check("getsockname", call3(GETSOCKNAME, fd, sockaddr, socklen));
        return Short.toUnsignedInt(Short.reverseBytes(sockaddr.get(ValueLayout.JAVA_SHORT_UNALIGNED, 2)));
    }

    /** "a.b.c.d:port" of the peer, or "?" if it is gone. */
    String peer(int fd) {
        socklen.set(JAVA_INT, 0, 16);
        if (call3(GETPEERNAME, fd, sockaddr, socklen) < 0) return "?";
        int port = Short.toUnsignedInt(Short.reverseBytes(sockaddr.get(ValueLayout.JAVA_SHORT_UNALIGNED, 2)));
        return (sockaddr.get(ValueLayout.JAVA_BYTE, 4) & 0xff) + "." + (sockaddr.get(ValueLayout.JAVA_BYTE, 5) & 0xff) + "."
                + (sockaddr.get(ValueLayout.JAVA_BYTE, 6) & 0xff) + "." + (sockaddr.get(ValueLayout.JAVA_BYTE, 7) & 0xff) + ":" + port;
    }

    private void writeSockaddr(byte[] ip, int port) {
        sockaddr.fill((byte) 0);
        sockaddr.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) AF_INET);
        sockaddr.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2, Short.reverseBytes((short) port)); // network byte order
        for (int i = 0; i < 4; i++) sockaddr.set(ValueLayout.JAVA_BYTE, 4 + i, ip[i]);
    }

    /** A non-blocking accepted socket, or -1 when none is waiting (EAGAIN). */
    int accept(int listenFd) throws NativeException {
        int fd;
        try {
            fd = (int) ACCEPT4.invokeExact(state, listenFd, MemorySegment.NULL, MemorySegment.NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (fd >= 0) return fd;
        int e = errno();
        if (e == Errno.EAGAIN || e == Errno.EINTR || e == Errno.ECONNABORTED) return -1;
        throw new NativeException("accept4", e);
    }

    /** Bytes read; 0 at end of stream; -1 for EAGAIN; -2 for an error (reset). */
    long read(int fd, MemorySegment buf, long length) {
        long n;
        try {
            n = (long) READ.invokeExact(state, fd, buf, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (n >= 0) return n;
        return errno() == Errno.EAGAIN ? -1 : -2;
    }

    /** Bytes written; -1 for EAGAIN; -2 for an error (reset, broken pipe). */
    long write(int fd, MemorySegment buf, long length) {
        long n;
        try {
            n = (long) WRITE.invokeExact(state, fd, buf, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (n >= 0) return n;
        return errno() == Errno.EAGAIN ? -1 : -2;
    }

    void close(int fd) {
        call1(CLOSE, fd);
    }

    int epollCreate() throws NativeException {
        return check("epoll_create1", call1(EPOLL_CREATE1, EPOLL_CLOEXEC));
    }

    void epollCtl(int epfd, int op, int fd, int events) throws NativeException {
        event.set(ValueLayout.JAVA_INT_UNALIGNED, 0, events);
        event.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, fd);
        int r;
        try {
            r = (int) EPOLL_CTL.invokeExact(state, epfd, op, fd, event);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check("epoll_ctl", r);
    }

    /** Fills {@code events} (packed epoll_event array); returns how many, 0 on timeout or EINTR. */
    int epollWait(int epfd, MemorySegment events, int max, int timeoutMillis) throws NativeException {
        int n;
        try {
            n = (int) EPOLL_WAIT.invokeExact(state, epfd, events, max, timeoutMillis);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (n >= 0) return n;
        if (errno() == Errno.EINTR) return 0;
        throw failure("epoll_wait");
    }

    int eventfd() throws NativeException {
        return check("eventfd", call2(EVENTFD, 0, EFD_NONBLOCK | EFD_CLOEXEC));
    }

    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;
    static final int MAP_PRIVATE = 2;
    static final int MAP_ANONYMOUS = 0x20;
    static final int MAP_POPULATE = 0x8000;

    /** mmap; the result is a segment of {@code length} bytes (unbounded lifetime: unmap with {@link #munmap}). */
    MemorySegment mmap(long length, int prot, int flags, int fd, long offset) throws NativeException {
        MemorySegment at;
        try {
            at = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (at.address() == -1L) throw failure("mmap");
        return at.reinterpret(length);
    }

    void munmap(MemorySegment mapping) {
        try {
            int ignored = (int) MUNMAP.invokeExact(state, mapping, mapping.byteSize()); // at close: nothing to do on failure
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void shutdownBoth(int fd) {
        call2(SHUTDOWN, fd, SHUT_RDWR);
    }

    /** A raw system call (io_uring_setup, io_uring_enter, io_uring_register); returns its result or -errno. */
    long syscall(long number, long a, long b, long c, long d, long e, long f) {
        try {
            long r = (long) SYSCALL6.invokeExact(state, number, a, b, c, d, e, f);
            return r < 0 ? -errno() : r;
        } catch (Throwable t) {
            throw new IllegalStateException("syscall " + number + ": " + t, t);
        }
    }

    private int check(String call, int result) throws NativeException {
        if (result < 0) throw failure(call);
        return result;
    }

    private int call1(MethodHandle h, int a) {
        try {
            return (int) h.invokeExact(state, a);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private int call2(MethodHandle h, int a, int b) {
        try {
            return (int) h.invokeExact(state, a, b);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private int call3(MethodHandle h, int a, MemorySegment b, MemorySegment c) {
        try {
            return (int) h.invokeExact(state, a, b, c);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private int call(MethodHandle h, int a, MemorySegment b, int c) {
        try {
            return (int) h.invokeExact(state, a, b, c);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}

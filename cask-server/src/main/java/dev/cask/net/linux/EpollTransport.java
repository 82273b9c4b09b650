package dev.cask.net.linux;

import dev.cask.net.ConnectionBase;
import dev.cask.net.EventLoop;
import dev.cask.net.Handler;
import dev.cask.net.ServerLimits;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The event loop on libc's epoll, bound with {@code java.lang.foreign}: one thread, non-blocking
 * sockets from {@code accept4(SOCK_NONBLOCK)}, plain {@code read} and {@code write}.
 *
 * <p>Edge-triggered (the default): each socket is registered once for
 * {@code EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET} and never modified again, so there is no
 * {@code epoll_ctl} per turn. An edge is reported once, so what it announced must be consumed:
 * <ul>
 *   <li>reads: one 64 KiB read per connection per turn (fairness). A read that fills the buffer
 *       may have left more behind, so the connection goes on a backlog read next turn without
 *       waiting for an edge; a short read emptied the socket, and new data raises a new edge.
 *       After {@code EPOLLRDHUP} (the peer's half-close) reads go on until end of stream.</li>
 *   <li>writes: queued output is written until it is gone or {@code write} says EAGAIN; the next
 *       {@code EPOLLOUT} edge resumes it.</li>
 * </ul>
 * Level-triggered ({@code edgeTriggered=false}, for comparison): {@code EPOLLIN | EPOLLRDHUP},
 * plus {@code EPOLLOUT} only while output is pending (an {@code epoll_ctl} each time it changes).
 * What every transport does alike (limits, drain, flush loop) is in {@link EventLoop} and
 * {@link ConnectionBase}.
 */
public final class EpollTransport extends EventLoop {
    private static final System.Logger LOG = System.getLogger(EpollTransport.class.getName());
    private static final int MAX_EVENTS = 1024;

    private final Libc libc = new Libc();
    private final Libc wakeLibc = new Libc();
    /** Set (under wakeLibc's lock) when the wakeup descriptor is closed: a late wakeup must not write to its reused number. */
    private boolean wakeClosed;
    private final boolean edgeTriggered;
    private final int epfd;
    private final int listenFd;
    private final int wakeFd;
    private final int port;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment events;
    private final MemorySegment readBuffer;
    private final ByteBuffer readView;
    private final MemorySegment writeBuffer;
    private final MemorySegment wakeValue;
    private List<Conn> backlog = new ArrayList<>();
    private List<Conn> nextBacklog = new ArrayList<>();
    private Conn[] byFd = new Conn[1024];
    private boolean listening = true;

    private EpollTransport(InetSocketAddress bind, Handler handler, ServerLimits limits, boolean edgeTriggered, String threadName)
            throws IOException {
        super(handler, limits, threadName);
        this.edgeTriggered = edgeTriggered;
        this.events = arena.allocate((long) MAX_EVENTS * Libc.EPOLL_EVENT_SIZE, 8);
        this.readBuffer = arena.allocate(limits.readBufferBytes(), 8);
        this.readView = readBuffer.asByteBuffer();
        this.writeBuffer = arena.allocate(64 << 10, 8);
        this.wakeValue = arena.allocate(8, 8);
        try {
            this.epfd = libc.epollCreate();
        } catch (IOException | RuntimeException e) {
            arena.close(); // its buffers would otherwise stay mapped for every failed start
            throw e;
        }
        int listen = -1;
        int wake = -1;
        try {
            listen = libc.listen(bind, 8192);
            wake = libc.eventfd();
            libc.epollCtl(epfd, Libc.EPOLL_CTL_ADD, listen, Libc.EPOLLIN | (edgeTriggered ? Libc.EPOLLET : 0));
            libc.epollCtl(epfd, Libc.EPOLL_CTL_ADD, wake, Libc.EPOLLIN);
            this.port = libc.localPort(listen);
        } catch (IOException e) {
            if (listen >= 0) libc.close(listen);
            if (wake >= 0) libc.close(wake);
            libc.close(epfd);
            arena.close();
            throw e;
        }
        this.listenFd = listen;
        this.wakeFd = wake;
    }

    /** Binds (IPv4) and starts the loop thread. */
    public static EpollTransport start(InetSocketAddress bind, Handler handler, ServerLimits limits, boolean edgeTriggered, String threadName)
            throws IOException {
        Libc.requireX86_64("the epoll transport");
        EpollTransport transport = new EpollTransport(bind, handler, limits, edgeTriggered, threadName);
        transport.startLoop();
        return transport;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String name() {
        return edgeTriggered ? "epoll" : "epoll-lt";
    }

    @Override
    public void wakeup() {
        synchronized (wakeLibc) {
            if (wakeClosed) return; // closed: the number may belong to a database file by now
            wakeValue.set(ValueLayout.JAVA_LONG, 0, 1);
            wakeLibc.write(wakeFd, wakeValue, 8);
        }
    }

    @Override
    protected void serve() throws IOException {
        while (running) {
            int n = libc.epollWait(epfd, events, MAX_EVENTS, !backlog.isEmpty() ? 0 : waitMillis());
            if (!running) break;
            if (acceptPauseOver()) {
                libc.epollCtl(epfd, Libc.EPOLL_CTL_ADD, listenFd, Libc.EPOLLIN | (edgeTriggered ? Libc.EPOLLET : 0));
                accept(); // edge-triggered: connections that queued while paused raise no new edge
            }
            turn(n);
        }
    }

    @Override
    protected void releaseResources() {
        libc.close(listenFd);
        synchronized (wakeLibc) {
            wakeClosed = true;
            libc.close(wakeFd);
        }
        libc.close(epfd);
    }

    private void turn(int n) throws NativeException {
        List<Conn> readable = nextBacklog;
        readable.clear();
        for (Conn c : backlog) if (!c.isClosed()) readable.add(c);
        for (int i = 0; i < n; i++) {
            long at = (long) i * Libc.EPOLL_EVENT_SIZE;
            int ev = events.get(ValueLayout.JAVA_INT_UNALIGNED, at);
            int fd = (int) events.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 4);
            if (fd == listenFd) {
                accept();
            } else if (fd == wakeFd) {
                libc.read(wakeFd, wakeValue, 8);
            } else {
                Conn c = fd < byFd.length ? byFd[fd] : null;
                if (c == null) continue;
                if ((ev & Libc.EPOLLERR) != 0) {
                    c.close();
                    continue;
                }
                if ((ev & Libc.EPOLLRDHUP) != 0) c.peerClosed = true;
                if ((ev & (Libc.EPOLLIN | Libc.EPOLLRDHUP | Libc.EPOLLHUP)) != 0 && !c.inBacklog) {
                    c.inBacklog = true;
                    readable.add(c);
                }
                if ((ev & Libc.EPOLLOUT) != 0) c.flushQuietly();
            }
        }
        List<Conn> swap = backlog;
        backlog = readable;
        nextBacklog = swap;
        nextBacklog.clear();
        for (Conn c : backlog) {
            c.inBacklog = false;
            boolean more;
            try {
                more = !c.isClosed() && c.readOnce();
            } catch (RuntimeException e) { // one connection's failure closes it alone
                LOG.log(System.Logger.Level.WARNING, "closed connection " + c.id() + " after an error", e);
                c.close();
                more = false;
            }
            if (more) { // more may be waiting: read again next turn, edge or not
                c.inBacklog = true;
                nextBacklog.add(c);
            }
        }
        List<Conn> t = backlog;
        backlog = nextBacklog;
        nextBacklog = t;
        endTurn();
    }

    private void accept() throws NativeException {
        while (listening && !acceptPaused()) {
            int fd;
            try {
                fd = libc.accept(listenFd);
            } catch (NativeException e) { // EMFILE, ENFILE, ENOBUFS...: keep serving who is connected, try again shortly
                pauseAccepting(e);
                return;
            }
            if (fd < 0) return;
            if (atClientLimit()) {
                refuse(fd);
                if (!edgeTriggered) return; // level-triggered: the rest are reported again
                continue;
            }
            try {
                libc.setIntOption(fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, 1);
                libc.epollCtl(epfd, Libc.EPOLL_CTL_ADD, fd, edgeTriggered
                        ? Libc.EPOLLIN | Libc.EPOLLOUT | Libc.EPOLLRDHUP | Libc.EPOLLET
                        : Libc.EPOLLIN | Libc.EPOLLRDHUP);
            } catch (NativeException e) {
                libc.close(fd);
                continue;
            }
            if (fd >= byFd.length) byFd = Arrays.copyOf(byFd, Math.max(fd + 1, byFd.length * 2));
            Conn conn = new Conn(fd);
            byFd[fd] = conn;
            opened(conn);
            if (!edgeTriggered) return; // one accept per event keeps the turn short; the rest are reported again
        }
    }

    /** Takes the listening socket out of epoll for a moment (level-triggered, it would report the same failure every turn). */
    private void pauseAccepting(NativeException why) throws NativeException {
        pauseAccepting(why.getMessage());
        libc.epollCtl(epfd, Libc.EPOLL_CTL_DEL, listenFd, 0);
    }

    private void refuse(int fd) {
        ByteBuffer why = refusal();
        if (why != null) {
            int len = Math.min(why.remaining(), (int) writeBuffer.byteSize());
            MemorySegment.copy(MemorySegment.ofBuffer(why), 0, writeBuffer, 0, len);
            libc.write(fd, writeBuffer, len);
        }
        libc.close(fd);
    }

    @Override
    protected void stopListening() throws NativeException {
        listening = false;
        if (!acceptPaused()) libc.epollCtl(epfd, Libc.EPOLL_CTL_DEL, listenFd, 0);
    }

    @Override
    protected void awaitWritable(int millis) throws NativeException {
        int n = libc.epollWait(epfd, events, MAX_EVENTS, millis);
        for (int i = 0; i < n; i++) {
            int fd = (int) events.get(ValueLayout.JAVA_LONG_UNALIGNED, (long) i * Libc.EPOLL_EVENT_SIZE + 4);
            Conn c = fd >= 0 && fd < byFd.length ? byFd[fd] : null;
            if (c != null) c.flushQuietly();
        }
    }

    @Override
    protected void afterLoopEnded() {
        arena.close();
    }

    private final class Conn extends ConnectionBase {
        final int fd;
        boolean inBacklog;
        boolean peerClosed;
        boolean writeInterest;

        Conn(int fd) {
            super(EpollTransport.this);
            this.fd = fd;
        }

        /** One read into the shared buffer and its handling; true if more may be waiting. */
        boolean readOnce() {
            if (closeAfterWrite) return false;
            long n = libc.read(fd, readBuffer, readBuffer.byteSize());
            if (n == -1) return false; // EAGAIN: drained
            if (n == -2) {
                close(); // a reset or error closes this connection only
                return false;
            }
            if (n == 0) { // end of stream: flush what is owed, then close
                closeAfterWrite();
                return false;
            }
            received(handler, readView.clear().limit((int) n));
            if (closed) return false;
            return edgeTriggered && (n == readBuffer.byteSize() || peerClosed);
        }

        /** Writes from {@code bytes} until it is empty or the socket is full (EAGAIN: the next EPOLLOUT resumes). */
        @Override
        protected boolean writeSome(ByteBuffer bytes) {
            while (bytes.hasRemaining()) {
                int len = (int) Math.min(bytes.remaining(), writeBuffer.byteSize());
                MemorySegment.copy(MemorySegment.ofBuffer(bytes), 0, writeBuffer, 0, len);
                long n = libc.write(fd, writeBuffer, len);
                if (n == -1) return true;
                if (n == -2) {
                    close();
                    return false;
                }
                bytes.position(bytes.position() + (int) n);
                if (n < len) return true;
            }
            return true;
        }

        /** Level-triggered only: EPOLLOUT is watched while output waits. Edge-triggered sockets are registered once. */
        @Override
        protected void outputWaiting(boolean waiting) {
            if (edgeTriggered || waiting == writeInterest) return;
            writeInterest = waiting;
            try {
                libc.epollCtl(epfd, Libc.EPOLL_CTL_MOD, fd, Libc.EPOLLIN | Libc.EPOLLRDHUP | (waiting ? Libc.EPOLLOUT : 0));
            } catch (NativeException e) {
                close();
            }
        }

        @Override
        protected void reset() {
            libc.lingerZero(fd);
        }

        @Override
        public String peer() {
            return libc.peer(fd);
        }

        @Override
        protected void releaseSocket() {
            byFd[fd] = null;
            libc.close(fd);
        }
    }
}

package dev.cask.net.linux;

import dev.cask.net.ConnectionBase;
import dev.cask.net.Handler;
import dev.cask.net.ServerLimits;
import dev.cask.net.Transport;
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
 */
public final class EpollTransport implements Transport {
    private static final int MAX_EVENTS = 1024;
    private static final long DRAIN_NANOS = 5_000_000_000L;

    private final Libc libc = new Libc();
    private final Libc wakeLibc = new Libc();
    /** Set (under wakeLibc's lock) when the wakeup descriptor is closed: a late wakeup must not write to its reused number. */
    private boolean wakeClosed;
    private final Handler handler;
    private final ServerLimits limits;
    private final boolean edgeTriggered;
    private final int epfd;
    private final int listenFd;
    private final int wakeFd;
    private final int port;
    private final Thread thread;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment events;
    private final MemorySegment readBuffer;
    private final ByteBuffer readView;
    private final MemorySegment writeBuffer;
    private final MemorySegment wakeValue;
    private final List<Conn> dirty = new ArrayList<>();
    private List<Conn> backlog = new ArrayList<>();
    private List<Conn> nextBacklog = new ArrayList<>();
    private Conn[] byFd = new Conn[1024];
    private volatile boolean running = true;
    private boolean listening = true;
    private long nextId = 1;
    private final dev.cask.net.OutputTotal outputTotal = new dev.cask.net.OutputTotal();
    private int clients;
    /** While accept() fails for lack of descriptors, the listening socket is out of epoll until then (System.nanoTime); 0 = accepting. */
    private long acceptPausedUntil;
    private static final long ACCEPT_BACKOFF_NANOS = 100_000_000L;

    private EpollTransport(InetSocketAddress bind, Handler handler, ServerLimits limits, boolean edgeTriggered, String threadName)
            throws IOException {
        this.handler = handler;
        this.limits = limits;
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
        this.thread = Thread.ofPlatform().name(threadName).unstarted(this::loop);
    }

    /** Binds (IPv4) and starts the loop thread. */
    public static EpollTransport start(InetSocketAddress bind, Handler handler, ServerLimits limits, boolean edgeTriggered, String threadName)
            throws IOException {
        Libc.requireX86_64("the epoll transport");
        EpollTransport transport = new EpollTransport(bind, handler, limits, edgeTriggered, threadName);
        transport.thread.start();
        return transport;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String threadName() {
        return thread.getName();
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

    private void loop() {
        try {
            while (running) {
                int n = libc.epollWait(epfd, events, MAX_EVENTS, !backlog.isEmpty() ? 0 : acceptPausedUntil != 0 ? 50 : 200);
                if (!running) break;
                resumeAccepting();
                turn(n);
            }
            drain();
        } catch (IOException | RuntimeException | Error e) {
            if (running) handler.onLoopFailure(e);
            else System.err.println("cask: epoll event loop failed while stopping: " + e);
        } finally {
            for (Conn c : byFd) if (c != null) c.close();
            libc.close(listenFd);
            synchronized (wakeLibc) {
                wakeClosed = true;
                libc.close(wakeFd);
            }
            libc.close(epfd);
        }
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
                System.err.println("cask: closed connection " + c.id() + " after an error: " + e);
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
        handler.onTurnEnd();
        for (int i = 0; i < dirty.size(); i++) dirty.get(i).flushQuietly();
        dirty.clear();
    }

    private void accept() throws NativeException {
        while (listening && acceptPausedUntil == 0) {
            int fd;
            try {
                fd = libc.accept(listenFd);
            } catch (NativeException e) { // EMFILE, ENFILE, ENOBUFS...: keep serving who is connected, try again shortly
                pauseAccepting(e);
                return;
            }
            if (fd < 0) return;
            if (clients >= limits.maxClients()) {
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
            Conn conn = new Conn(fd, nextId++);
            byFd[fd] = conn;
            clients++;
            try {
                handler.onOpen(conn);
            } catch (RuntimeException e) {
                System.err.println("cask: closed connection " + conn.id() + " after an error as it opened: " + e);
                conn.close();
            }
            if (!edgeTriggered) return; // one accept per event keeps the turn short; the rest are reported again
        }
    }

    /** Takes the listening socket out of epoll for a moment (level-triggered, it would report the same failure every turn). */
    private void pauseAccepting(NativeException why) throws NativeException {
        System.err.println("cask: accept failed (" + why.getMessage() + "); serving the " + clients
                + " connected clients and trying again in " + ACCEPT_BACKOFF_NANOS / 1_000_000 + " ms");
        acceptPausedUntil = System.nanoTime() + ACCEPT_BACKOFF_NANOS;
        libc.epollCtl(epfd, Libc.EPOLL_CTL_DEL, listenFd, 0);
    }

    private void resumeAccepting() throws NativeException {
        if (acceptPausedUntil == 0 || System.nanoTime() - acceptPausedUntil < 0) return;
        acceptPausedUntil = 0;
        libc.epollCtl(epfd, Libc.EPOLL_CTL_ADD, listenFd, Libc.EPOLLIN | (edgeTriggered ? Libc.EPOLLET : 0));
        accept(); // edge-triggered: connections that queued while paused raise no new edge
    }

    private void refuse(int fd) {
        ByteBuffer why = handler.refusal();
        if (why != null) {
            int len = Math.min(why.remaining(), (int) writeBuffer.byteSize());
            MemorySegment.copy(MemorySegment.ofBuffer(why), 0, writeBuffer, 0, len);
            libc.write(fd, writeBuffer, len);
        }
        libc.close(fd);
    }

    /** Stops accepting and reading, lets the handler queue what it holds, and writes what is owed for a bounded time. */
    private void drain() throws NativeException {
        listening = false;
        if (acceptPausedUntil == 0) libc.epollCtl(epfd, Libc.EPOLL_CTL_DEL, listenFd, 0);
        List<Conn> open = new ArrayList<>();
        for (Conn c : byFd) if (c != null) open.add(c);
        handler.onStop();
        for (Conn c : open) c.closeAfterWrite();
        for (Conn c : open) c.flush();
        dirty.clear();
        long deadline = System.nanoTime() + DRAIN_NANOS;
        while (clients > 0 && System.nanoTime() < deadline) {
            int n = libc.epollWait(epfd, events, MAX_EVENTS, 50);
            for (int i = 0; i < n; i++) {
                long at = (long) i * Libc.EPOLL_EVENT_SIZE;
                int fd = (int) events.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 4);
                Conn c = fd >= 0 && fd < byFd.length ? byFd[fd] : null;
                if (c != null) c.flush();
            }
        }
    }

    @Override
    public void close() {
        running = false;
        wakeup();
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) arena.close();
    }

    private final class Conn extends ConnectionBase {
        final int fd;
        boolean queued;
        boolean inBacklog;
        boolean peerClosed;
        boolean writeInterest;

        Conn(int fd, long id) {
            super(id, outputTotal);
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
            deliver(handler, readView.clear().limit((int) n));
            if (closed) return false;
            return edgeTriggered && (n == readBuffer.byteSize() || peerClosed);
        }

        @Override
        public void send(ByteBuffer bytes) {
            if (closed) return;
            if (output.isEmpty() && running) {
                if (!writeNow(bytes)) return;
                if (!bytes.hasRemaining()) return;
            }
            if (enqueue(bytes) > limits.maxPendingOutput()) { // a reader that does not read is disconnected, not buffered for
                libc.lingerZero(fd); // with a reset: what the kernel still holds for it is dropped, not trickled out
                close();
                return;
            }
            markDirty();
        }

        /** Writes from {@code bytes} until it is empty or the socket is full; false if the connection failed. */
        private boolean writeNow(ByteBuffer bytes) {
            while (bytes.hasRemaining()) {
                int len = (int) Math.min(bytes.remaining(), writeBuffer.byteSize());
                MemorySegment.copy(MemorySegment.ofBuffer(bytes), 0, writeBuffer, 0, len);
                long n = libc.write(fd, writeBuffer, len);
                if (n == -1) return true; // EAGAIN: the rest waits for EPOLLOUT
                if (n == -2) {
                    close();
                    return false;
                }
                bytes.position(bytes.position() + (int) n);
                if (n < len) return true;
            }
            return true;
        }

        private void markDirty() {
            if (!queued) {
                queued = true;
                dirty.add(this);
            }
        }

        @Override
        public void abort() {
            if (closed) return;
            libc.lingerZero(fd);
            close();
        }

        @Override
        protected void flush() {
            queued = false;
            if (closed) return;
            while (!output.isEmpty()) {
                ByteBuffer head = output.peek();
                int before = head.remaining();
                if (!writeNow(head)) return;
                tookOutput(before - head.remaining());
                if (head.hasRemaining()) break; // the socket is full
                output.poll();
            }
            if (output.isEmpty() && closeAfterWrite) {
                close();
                return;
            }
            if (!edgeTriggered) {
                boolean want = !output.isEmpty();
                if (want != writeInterest) {
                    writeInterest = want;
                    try {
                        libc.epollCtl(epfd, Libc.EPOLL_CTL_MOD, fd, Libc.EPOLLIN | Libc.EPOLLRDHUP | (want ? Libc.EPOLLOUT : 0));
                    } catch (NativeException e) {
                        close();
                    }
                }
            }
        }

        @Override
        public void closeAfterWrite() {
            if (closed) return;
            closeAfterWrite = true;
            markDirty();
        }

        @Override
        public String peer() {
            return libc.peer(fd);
        }

        @Override
        protected void close() {
            if (closed) return;
            markClosed();
            clients--;
            byFd[fd] = null;
            libc.close(fd);
            handler.onClose(this);
        }
    }
}

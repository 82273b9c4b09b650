package dev.cask.net.linux;

import dev.cask.net.ConnectionBase;
import dev.cask.net.EventLoop;
import dev.cask.net.Handler;
import dev.cask.net.ServerLimits;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The event loop on io_uring, from the raw system calls (see {@link IoUring}): one thread, one
 * ring. The listening socket has one multishot accept; each connection has one multishot
 * receive that takes its buffer from a provided-buffer ring, so an idle connection pins no
 * receive buffer: 10,000 idle connections share the one pool ({@value #BUFFERS} buffers of
 * {@value #BUFFER_SIZE} bytes). Replies go out as SEND operations from pooled native buffers,
 * one in flight per connection. A turn: submit what is queued and wait for at least one
 * completion, handle every completion ready, {@code onTurnEnd}, then start the sends the turn
 * queued. A wakeup is an eventfd read.
 *
 * <p>Fairness: a connection's data arrives in completions of at most one buffer each; the pool
 * bounds what all connections together can deliver in one turn. When the pool is empty the
 * kernel ends a receive with ENOBUFS; it is re-armed once the turn gave its buffers back.
 *
 * <p>What every transport does alike (limits, drain, the queue of output) is in {@link EventLoop}
 * and {@link ConnectionBase}; sends here complete later, so this transport has its own flush.
 */
public final class IoUringTransport extends EventLoop {
    private static final System.Logger LOG = System.getLogger(IoUringTransport.class.getName());
    static final int BUFFERS = 512;
    /** The provided-buffer pool all connections share. */
    public static final int POOL_BYTES = 512 * 16 * 1024;
    static final int BUFFER_SIZE = 16 * 1024;
    private static final int GROUP = 1;
    private static final int SEND_BUFFER = 64 * 1024;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final byte OP_TIMEOUT = 11;

    private static final int T_ACCEPT = 1;
    private static final int T_RECV = 2;
    private static final int T_SEND = 3;
    private static final int T_WAKE = 4;
    private static final int T_TIMEOUT = 5;
    /** The loop's own wake-up, so that a turn runs at least every {@link #waitMillis} even with no I/O (client timeouts). */
    private static final int T_TICK = 6;
    /** The removal of a tick that would fire too late (or at close): its own completion, beside the tick's -ECANCELED. */
    private static final int T_TICK_REMOVE = 7;
    private static final byte OP_TIMEOUT_REMOVE = 12;
    private static final VarHandle SHORT = ValueLayout.JAVA_SHORT.varHandle();

    private final Libc libc = new Libc();
    private final Libc wakeLibc = new Libc();
    /** Set (under wakeLibc's lock) when the wakeup descriptor is closed: a late wakeup must not write to its reused number. */
    private boolean wakeClosed;
    private final IoUring ring;
    private final int listenFd;
    private final int wakeFd;
    private final int port;
    private final MemorySegment bufRing;
    private final MemorySegment buffers;
    private int bufTail;
    private final MemorySegment wakeBuffer;
    private final MemorySegment wakeValue;
    private final MemorySegment timespec;
    /** The tick's own timespec: the kernel reads it at submit, and a drain or backoff timeout may be armed in the same turn. */
    private final MemorySegment tickTimespec;
    /** When the tick in flight fires (System.nanoTime), and its number; 0 = none in flight. */
    private long tickDueNanos;
    private long tickNumber;
    private final Map<Long, Conn> byId = new HashMap<>();
    private final List<Conn> rearm = new ArrayList<>();
    /** Send buffers in two sizes, so that 10,000 connections with a short reply in flight do not each hold 64 KiB. */
    private final ArrayDeque<MemorySegment> freeSendBuffers = new ArrayDeque<>();
    private final ArrayDeque<MemorySegment> freeSmallSendBuffers = new ArrayDeque<>();
    private static final int SMALL_SEND_BUFFER = 4096;
    /** Buffers of SENDs still in flight for connections already closed: kept reachable until the kernel is done with them. */
    private final Map<Long, MemorySegment> orphanSends = new HashMap<>();
    private boolean accepting = true;
    /** Requests the kernel holds (each until its last completion): the mappings it may write into are unmapped only at 0. */
    private int inFlight;
    private int timeoutsPending;
    /** Descriptors closed while SQEs naming them could not be submitted yet; closed after the next submit. */
    private final List<Integer> closeAfterSubmit = new ArrayList<>();
    private static final long QUIESCE_NANOS = 2_000_000_000L;
    /** Free send buffers kept for reuse; past these, a returned buffer is left to the collector. */
    private static final int KEPT_SEND_BUFFERS = 64;
    private static final int KEPT_SMALL_SEND_BUFFERS = 1024;

    private IoUringTransport(InetSocketAddress bind, Handler handler, ServerLimits limits, String threadName) throws IOException {
        super(handler, limits, threadName);
        this.ring = new IoUring(libc, 4096, 16384);
        int listen = -1;
        int wake = -1;
        MemorySegment ringMapping = null;
        MemorySegment pool = null;
        try {
            listen = libc.listen(bind, 8192);
            wake = libc.eventfd();
            this.port = libc.localPort(listen);
            // the provided-buffer ring: page-aligned, BUFFERS entries of struct io_uring_buf {u64 addr; u32 len; u16 bid; u16 resv}
            ringMapping = libc.mmap(16L * BUFFERS, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
            pool = libc.mmap((long) BUFFERS * BUFFER_SIZE, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
            ring.registerBufferRing(ringMapping.address(), BUFFERS, GROUP);
        } catch (IOException | RuntimeException e) {
            if (listen >= 0) libc.close(listen);
            if (wake >= 0) libc.close(wake);
            ring.close();
            unmap(ringMapping, pool); // a failed setup gives back the 8 MiB it mapped
            throw e;
        }
        this.bufRing = ringMapping;
        this.buffers = pool;
        for (int bid = 0; bid < BUFFERS; bid++) giveBack(bid);
        this.listenFd = listen;
        this.wakeFd = wake;
        java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofAuto();
        this.wakeBuffer = arena.allocate(8, 8);
        this.wakeValue = arena.allocate(8, 8);
        this.timespec = arena.allocate(16, 8);
        this.tickTimespec = arena.allocate(16, 8);
    }

    /** Binds (IPv4), sets up the ring and starts the loop thread. Throws NativeException if io_uring is not available. */
    public static IoUringTransport start(InetSocketAddress bind, Handler handler, ServerLimits limits, String threadName) throws IOException {
        Libc.requireX86_64("the io_uring transport");
        IoUringTransport transport = new IoUringTransport(bind, handler, limits, threadName);
        transport.startLoop();
        return transport;
    }

    @Override
    public int port() {
        return port;
    }

    /** Where the provided-buffer pool is mapped (for the test that checks it is unmapped at close). */
    long poolAddress() {
        return buffers.address();
    }

    @Override
    public String name() {
        return "io_uring";
    }

    @Override
    public void wakeup() {
        synchronized (wakeLibc) {
            if (wakeClosed) return; // closed: the number may belong to a database file by now
            wakeValue.set(ValueLayout.JAVA_LONG, 0, 1);
            wakeLibc.write(wakeFd, wakeValue, 8);
        }
    }

    private void unmap(MemorySegment... mappings) {
        for (MemorySegment m : mappings) if (m != null) libc.munmap(m);
    }

    /** Puts buffer {@code bid} back in the provided-buffer ring. */
    private void giveBack(int bid) {
        long at = 16L * (bufTail & (BUFFERS - 1));
        bufRing.set(ValueLayout.JAVA_LONG, at, buffers.address() + (long) bid * BUFFER_SIZE);
        bufRing.set(ValueLayout.JAVA_INT, at + 8, BUFFER_SIZE);
        bufRing.set(ValueLayout.JAVA_SHORT, at + 12, (short) bid);
        bufTail++;
        SHORT.setRelease(bufRing, 14L, (short) bufTail); // the ring's tail lives in the first entry's resv field
    }

    private void armAccept() throws NativeException {
        MemorySegment sqe = ring.sqe();
        IoUring.prep(sqe, IoUring.OP_ACCEPT, listenFd, 0, 0, T_ACCEPT);
        sqe.set(ValueLayout.JAVA_SHORT, 2, IoUring.IORING_ACCEPT_MULTISHOT);
        sqe.set(ValueLayout.JAVA_INT, 28, Libc.SOCK_CLOEXEC);
        inFlight++;
    }

    private void armWake() throws NativeException {
        IoUring.prep(ring.sqe(), IoUring.OP_READ, wakeFd, wakeBuffer.address(), 8, T_WAKE);
        inFlight++;
    }

    private void armRecv(Conn c) throws NativeException {
        MemorySegment sqe = ring.sqe();
        IoUring.prep(sqe, IoUring.OP_RECV, c.fd, 0, 0, c.id() << 8 | T_RECV);
        sqe.set(ValueLayout.JAVA_BYTE, 1, IoUring.IOSQE_BUFFER_SELECT);
        sqe.set(ValueLayout.JAVA_SHORT, 2, IoUring.IORING_RECV_MULTISHOT);
        sqe.set(ValueLayout.JAVA_SHORT, 40, (short) GROUP);
        c.receiving = true;
        inFlight++;
    }

    private void armTimeout(long millis) throws NativeException {
        timespec.set(ValueLayout.JAVA_LONG, 0, millis / 1000);
        timespec.set(ValueLayout.JAVA_LONG, 8, (millis % 1000) * 1_000_000);
        IoUring.prep(ring.sqe(), OP_TIMEOUT, -1, timespec.address(), 1, T_TIMEOUT);
        inFlight++;
        timeoutsPending++;
    }

    /** Makes sure a timeout wakes the ring within {@link #waitMillis}: one in flight, a new one only when it must fire sooner. */
    private void armTick() throws NativeException {
        long wait = waitMillis();
        long due = System.nanoTime() + wait * 1_000_000L;
        if (tickDueNanos != 0 && tickDueNanos - due <= 1_000_000L) return;
        cancelTick(); // one tick in flight at a time: a close then waits for none
        tickTimespec.set(ValueLayout.JAVA_LONG, 0, wait / 1000);
        tickTimespec.set(ValueLayout.JAVA_LONG, 8, (wait % 1000) * 1_000_000);
        IoUring.prep(ring.sqe(), OP_TIMEOUT, -1, tickTimespec.address(), 1, ++tickNumber << 8 | T_TICK);
        inFlight++;
        tickDueNanos = due;
    }

    /** Removes the tick in flight, if any (it completes at once, cancelled). */
    private void cancelTick() throws NativeException {
        if (tickDueNanos == 0) return;
        IoUring.prep(ring.sqe(), OP_TIMEOUT_REMOVE, -1, tickNumber << 8 | T_TICK, 0, T_TICK_REMOVE);
        inFlight++;
        tickDueNanos = 0;
    }

    @Override
    protected void serve() throws IOException {
        ring.enable();
        armAccept();
        armWake();
        armTick();
        while (running) {
            ring.submit(1);
            closeDeferred();
            ring.drainCompletions(this::completed);
            if (!running) break;
            for (Conn c : rearm) if (!c.isClosed() && !c.receiving && !c.isClosing()) armRecv(c);
            rearm.clear();
            if (acceptPauseOver() && accepting) armAccept();
            endTurn();
            if (running) armTick();
        }
    }

    /** Every connection is closed: ends the accept, waits for the kernel to let go of our buffers, then frees them. */
    @Override
    protected void releaseResources() {
        accepting = false; // nothing is re-armed from here on, so the requests in flight can only end
        libc.shutdownBoth(listenFd); // ends the multishot accept
        boolean quiet = quiesce();
        closeDeferred();
        libc.close(listenFd);
        synchronized (wakeLibc) {
            wakeClosed = true;
            libc.close(wakeFd);
        }
        if (quiet) {
            try {
                ring.unregisterBufferRing(GROUP);
            } catch (NativeException e) {
                quiet = false;
            }
        }
        ring.close();
        if (quiet) unmap(bufRing, buffers);
        else LOG.log(System.Logger.Level.WARNING, inFlight + " io_uring requests still in flight at shutdown; their " + (POOL_BYTES >> 20)
                + " MiB buffer pool stays mapped rather than risk the kernel writing into memory reused since");
    }

    /**
     * Waits (bounded) until the kernel holds no request of ours: the wake read is completed by a
     * wakeup, receives and accepts by their shutdowns, timeouts by themselves. Only then may the
     * pool the kernel writes received bytes into be unmapped. False if it did not get there.
     */
    private boolean quiesce() {
        try {
            synchronized (wakeLibc) {
                wakeValue.set(ValueLayout.JAVA_LONG, 0, 1);
                wakeLibc.write(wakeFd, wakeValue, 8); // completes the pending wake read
            }
            cancelTick();
            long deadline = System.nanoTime() + QUIESCE_NANOS;
            while (inFlight > 0 && System.nanoTime() < deadline) {
                if (timeoutsPending == 0) armTimeout(20); // one at a time: a new one each round would always be in flight
                ring.submit(1);
                ring.drainCompletions(this::completed);
            }
            return inFlight == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Closes the descriptors whose SQEs are now submitted (the kernel took its own reference to each file). */
    private void closeDeferred() {
        if (closeAfterSubmit.isEmpty() || !ring.allSubmitted()) return;
        for (int fd : closeAfterSubmit) libc.close(fd);
        closeAfterSubmit.clear();
    }

    private void completed(long userData, int res, int flags) throws NativeException {
        int type = (int) (userData & 0xff);
        boolean more = (flags & IoUring.IORING_CQE_F_MORE) != 0;
        if (!more) inFlight--;
        switch (type) {
            case T_ACCEPT -> {
                if (res >= 0) accepted(res);
                if (!more && accepting && running) {
                    if (res < 0) pauseAccepting(res); // EMFILE, ENFILE...: re-arming at once would spin on the same failure
                    else armAccept();
                }
            }
            case T_WAKE -> {
                if (running) armWake();
            }
            case T_RECV -> received(byId.get(userData >>> 8), res, flags, more);
            case T_SEND -> {
                Conn c = byId.get(userData >>> 8);
                if (c != null) {
                    c.sent(res);
                } else {
                    MemorySegment orphan = orphanSends.remove(userData >>> 8);
                    if (orphan != null) recycle(orphan);
                }
            }
            case T_TICK_REMOVE -> { /* the tick it removed completes on its own */ }
            case T_TICK -> {
                if (userData >>> 8 == tickNumber) tickDueNanos = 0; // the latest one fired: arm again next turn
            }
            default -> timeoutsPending--; // a drain or backoff timeout
        }
    }

    /** Keeps serving who is connected and re-arms accept after a moment; a timeout makes sure the ring wakes for it. */
    private void pauseAccepting(int negativeErrno) throws NativeException {
        pauseAccepting(Errno.name(-negativeErrno));
        armTimeout(ACCEPT_BACKOFF_NANOS / 1_000_000);
    }

    private void accepted(int fd) throws NativeException {
        if (atClientLimit() || !accepting) {
            ByteBuffer why = refusal();
            if (why != null) { // a best-effort word before closing: the socket is new, so its buffer has room
                MemorySegment tmp = java.lang.foreign.Arena.ofAuto().allocate(why.remaining());
                MemorySegment.copy(MemorySegment.ofBuffer(why), 0, tmp, 0, why.remaining());
                libc.write(fd, tmp, tmp.byteSize());
            }
            libc.close(fd);
            return;
        }
        try {
            libc.setIntOption(fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, 1);
        } catch (NativeException e) {
            libc.close(fd);
            return;
        }
        Conn c = new Conn(fd);
        byId.put(c.id(), c);
        opened(c);
        if (!c.isClosed()) armRecv(c);
    }

    private void received(Conn c, int res, int flags, boolean more) {
        int bid = (flags & IoUring.IORING_CQE_F_BUFFER) != 0 ? flags >>> IoUring.IORING_CQE_BUFFER_SHIFT : -1;
        try {
            if (c == null || c.isClosed()) return; // a late completion of a connection already gone
            if (!more) c.receiving = false;
            if (res > 0 && bid >= 0) {
                if (!c.isClosing()) c.received(handler, buffers.asSlice((long) bid * BUFFER_SIZE, res).asByteBuffer());
                if (!more && !c.isClosed() && !c.isClosing()) rearm.add(c);
            } else if (res == 0) {
                c.closeAfterWrite(); // end of stream: flush what is owed, then close
            } else if (res == -Errno.ENOBUFS) {
                rearm.add(c); // the pool ran dry this turn: receive again once buffers are back
            } else if (res < 0) {
                c.close(); // a reset or error closes this connection only
            } else if (!more) {
                rearm.add(c);
            }
        } finally {
            if (bid >= 0) giveBack(bid);
        }
    }

    private MemorySegment takeSendBuffer(long bytes) {
        if (bytes <= SMALL_SEND_BUFFER) {
            MemorySegment b = freeSmallSendBuffers.poll();
            return b != null ? b : java.lang.foreign.Arena.ofAuto().allocate(SMALL_SEND_BUFFER, 8);
        }
        MemorySegment b = freeSendBuffers.poll();
        return b != null ? b : java.lang.foreign.Arena.ofAuto().allocate(SEND_BUFFER, 8);
    }

    private void recycle(MemorySegment buffer) {
        boolean small = buffer.byteSize() == SMALL_SEND_BUFFER;
        ArrayDeque<MemorySegment> free = small ? freeSmallSendBuffers : freeSendBuffers;
        if (free.size() < (small ? KEPT_SMALL_SEND_BUFFERS : KEPT_SEND_BUFFERS)) free.add(buffer); // past a burst, the rest is collected
    }

    @Override
    protected void stopListening() {
        accepting = false;
        libc.shutdownBoth(listenFd); // ends the multishot accept; receives are not re-armed once connections close after writing
    }

    @Override
    protected void awaitWritable(int millis) throws NativeException {
        armTimeout(millis);
        ring.submit(1);
        ring.drainCompletions(this::completed); // send completions start the next send of each connection
    }

    /**
     * Closes {@code fd} once no queued SQE names it: the kernel resolves an SQE's descriptor when
     * it is submitted, and a number closed before that may already belong to a new client or a
     * database file. Queued SQEs are submitted first; if the ring takes them only partly, the close
     * waits for the next submit.
     */
    private void closeAfterItsSqes(int fd) {
        try {
            ring.submitQueued();
        } catch (NativeException e) {
            // the loop will fail on its next submit; the descriptor is closed with the others then
        }
        if (ring.allSubmitted()) libc.close(fd);
        else closeAfterSubmit.add(fd);
    }

    private final class Conn extends ConnectionBase {
        final int fd;
        boolean receiving;
        /** The native buffer of the SEND in flight (null: none), and the bytes of it not yet taken. */
        MemorySegment sending;
        int sendOffset;
        int sendLength;

        Conn(int fd) {
            super(IoUringTransport.this);
            this.fd = fd;
        }

        /** Sends complete later: nothing is written at once, everything is queued for {@link #flush}. */
        @Override
        protected boolean writeSome(ByteBuffer bytes) {
            return true;
        }

        /** Starts a SEND of what is queued, unless one is in flight; closes once all is sent if asked to. */
        @Override
        protected void flush() {
            flushing();
            if (closed || sending != null) return;
            if (output.isEmpty()) {
                if (closeAfterWrite) close();
                return;
            }
            MemorySegment buf = takeSendBuffer(pending);
            int capacity = (int) buf.byteSize();
            int len = 0;
            while (!output.isEmpty() && len < capacity) {
                ByteBuffer head = output.peek();
                int n = Math.min(head.remaining(), capacity - len);
                MemorySegment.copy(MemorySegment.ofBuffer(head), 0, buf, len, n);
                head.position(head.position() + n);
                len += n;
                if (!head.hasRemaining()) output.poll();
            }
            sending = buf;
            sendOffset = 0;
            sendLength = len;
            submitSend();
        }

        private void submitSend() {
            try {
                MemorySegment sqe = ring.sqe();
                IoUring.prep(sqe, IoUring.OP_SEND, fd, sending.address() + sendOffset, sendLength - sendOffset, id() << 8 | T_SEND);
                sqe.set(ValueLayout.JAVA_INT, 28, MSG_NOSIGNAL);
                inFlight++;
            } catch (NativeException e) { // no SQE: the kernel never saw this send, so its buffer goes back to the pool now
                release(); // (kept as an orphan, it waited for a completion that never comes)
                close();
            }
        }

        void sent(int res) {
            if (res < 0) {
                release();
                close();
                return;
            }
            sendOffset += res;
            tookOutput(res);
            if (sendOffset < sendLength) {
                submitSend(); // a partial send: the rest, from where it stopped
                return;
            }
            release();
            flush();
        }

        private void release() {
            if (sending != null) {
                recycle(sending);
                sending = null;
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
            byId.remove(id());
            libc.shutdownBoth(fd); // ends the multishot receive
            closeAfterItsSqes(fd);
            if (sending != null) orphanSends.put(id(), sending); // the kernel may still read it: back to the pool on its completion
            sending = null;
        }
    }
}

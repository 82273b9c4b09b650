package dev.cask.net;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * What every transport's connection does the same way: its id and handler state, the input the
 * handler left unread (a message cut in the middle), the output queued for the socket with its
 * byte count and limit, the flush loop, and closing once the output is written. A transport adds
 * its write and close primitives ({@link #writeSome}, {@link #releaseSocket}, {@link #reset}).
 * Used on the loop thread only.
 */
public abstract class ConnectionBase implements Connection {
    private static final System.Logger LOG = System.getLogger(ConnectionBase.class.getName());
    private final EventLoop loop;
    private final long id;
    private Object attachment;
    private ByteBuffer leftover;
    /** Output not yet taken by the socket, oldest first. */
    protected final ArrayDeque<ByteBuffer> output = new ArrayDeque<>();
    protected long pending;
    protected boolean closeAfterWrite;
    protected boolean closed;
    /** On the loop's list of connections to flush when the turn ends. */
    private boolean dirty;

    protected ConnectionBase(EventLoop loop) {
        this.loop = loop;
        this.id = loop.nextConnectionId();
    }

    /**
     * Writes from {@code bytes} as far as the socket takes it now, advancing its position; false
     * if the connection failed and was closed. A transport whose writes complete later (io_uring)
     * writes nothing here and overrides {@link #flush}.
     */
    protected abstract boolean writeSome(ByteBuffer bytes);

    /** Closes the socket (and forgets its descriptor); {@link #close} has done the bookkeeping. */
    protected abstract void releaseSocket();

    /** Makes the coming close a reset (SO_LINGER 0): what the kernel still holds for the peer is dropped, not trickled out. */
    protected abstract void reset();

    /** The socket's interest after a flush, for transports that watch for writability only while output waits. */
    protected void outputWaiting(boolean waiting) {}

    /** Nothing more is to be read (closing after the output): for transports that must say so to their poller. */
    protected void stopReading() {}

    /**
     * Hands {@code data} to the handler, after what the previous call left unread, and keeps what
     * it leaves this time. {@code data} may be reused by the caller afterwards.
     */
    public final void received(Handler handler, ByteBuffer data) {
        ByteBuffer input = data;
        if (leftover != null && leftover.hasRemaining()) {
            ByteBuffer joined = ByteBuffer.allocate(leftover.remaining() + data.remaining());
            joined.put(leftover).put(data).flip();
            input = joined;
        }
        try {
            handler.onData(this, input);
        } catch (RuntimeException | Error e) { // one connection's failure closes that connection only, never the loop
            LOG.log(System.Logger.Level.ERROR, "closed connection " + id + " after an error in its handler", e);
            leftover = null;
            if (!closed) abort();
            return;
        }
        if (closed) return;
        if (input.hasRemaining()) {
            leftover = ByteBuffer.allocate(input.remaining());
            leftover.put(input).flip();
        } else {
            leftover = null;
        }
    }

    /**
     * Writes at once when nothing is queued and the socket takes it; queues the rest. A client
     * whose queued output passes the limit is cut off (a reader that does not read is
     * disconnected, not buffered for).
     */
    @Override
    public final void send(ByteBuffer bytes) {
        if (closed || !bytes.hasRemaining()) return;
        if (output.isEmpty() && loop.running) {
            if (!writeSome(bytes)) return;
            if (!bytes.hasRemaining()) return;
        }
        ByteBuffer copy = ByteBuffer.allocate(bytes.remaining());
        copy.put(bytes).flip();
        output.add(copy);
        pending += copy.remaining();
        loop.outputTotal.add(copy.remaining());
        if (pending > loop.limits.maxPendingOutput()) {
            abort();
            return;
        }
        markDirty();
    }

    /** The socket took {@code bytes} of the queued output. */
    protected final void tookOutput(long bytes) {
        pending -= bytes;
        loop.outputTotal.add(-bytes);
    }

    protected final void markDirty() {
        if (!dirty) {
            dirty = true;
            loop.markDirty(this);
        }
    }

    /** Writes what is queued, as far as the socket takes it, and closes if asked to once all is written. */
    protected void flush() {
        dirty = false;
        if (closed) return;
        while (!output.isEmpty()) {
            ByteBuffer head = output.peek();
            int before = head.remaining();
            if (!writeSome(head)) return;
            tookOutput(before - head.remaining());
            if (head.hasRemaining()) break; // the socket is full: the rest waits until it can take more
            output.poll();
        }
        if (output.isEmpty() && closeAfterWrite) {
            close();
            return;
        }
        outputWaiting(!output.isEmpty());
    }

    /** For a transport's own flush: the connection is off the loop's dirty list. */
    protected final void flushing() {
        dirty = false;
    }

    /** Flushes; a failure of this one connection closes it, never the loop that serves the others. */
    public final void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "closed connection " + id + " after an error", e);
            close();
        }
    }

    @Override
    public final void closeAfterWrite() {
        if (closed) return;
        closeAfterWrite = true;
        stopReading();
        markDirty();
    }

    @Override
    public final void abort() {
        if (closed) return;
        reset();
        close();
    }

    /** Closes at once: what is queued is dropped, and the handler hears of it. */
    public final void close() {
        if (closed) return;
        closed = true;
        loop.outputTotal.add(-pending);
        pending = 0;
        output.clear();
        releaseSocket();
        loop.closed(this);
    }

    /** Closed: nothing more is read or written. */
    public final boolean isClosed() {
        return closed;
    }

    /** Closing once its output is written: nothing more is read. */
    public final boolean isClosing() {
        return closeAfterWrite;
    }

    @Override
    public final long id() {
        return id;
    }

    @Override
    public final long pendingOutput() {
        return pending;
    }

    @Override
    public final long serverPendingOutput() {
        return loop.outputTotal.bytes();
    }

    @Override
    public final Object attachment() {
        return attachment;
    }

    @Override
    public final void attach(Object state) {
        this.attachment = state;
    }
}

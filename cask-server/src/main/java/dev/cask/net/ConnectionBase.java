package dev.cask.net;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * What every transport's connection keeps the same way: its id and handler state, the input the
 * handler left unread (a message cut in the middle), and the output queued for the socket with
 * its byte count. Used on the loop thread only.
 */
public abstract class ConnectionBase implements Connection {
    private final long id;
    private final OutputTotal total;
    private Object attachment;
    private ByteBuffer leftover;
    /** Output not yet taken by the socket, oldest first. */
    protected final ArrayDeque<ByteBuffer> output = new ArrayDeque<>();
    protected long pending;
    protected boolean closeAfterWrite;
    protected boolean closed;

    protected ConnectionBase(long id, OutputTotal total) {
        this.id = id;
        this.total = total;
    }

    /**
     * Hands {@code data} to the handler, after what the previous call left unread, and keeps what
     * it leaves this time. {@code data} may be reused by the caller afterwards.
     */
    protected final void deliver(Handler handler, ByteBuffer data) {
        ByteBuffer input = data;
        if (leftover != null && leftover.hasRemaining()) {
            ByteBuffer joined = ByteBuffer.allocate(leftover.remaining() + data.remaining());
            joined.put(leftover).put(data).flip();
            input = joined;
        }
        try {
            handler.onData(this, input);
        } catch (RuntimeException | Error e) { // one connection's failure closes that connection only, never the loop
            System.err.println("cask: closed connection " + id + " after an error in its handler: " + e);
            e.printStackTrace(System.err);
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

    /** Queues a copy of {@code bytes}; returns the bytes now pending, for the caller's limit check. */
    protected final long enqueue(ByteBuffer bytes) {
        ByteBuffer copy = ByteBuffer.allocate(bytes.remaining());
        copy.put(bytes).flip();
        output.add(copy);
        pending += copy.remaining();
        total.add(copy.remaining());
        return pending;
    }

    /** The socket took {@code bytes} of the queued output. */
    protected final void tookOutput(long bytes) {
        pending -= bytes;
        total.add(-bytes);
    }

    /** Marks the connection closed; what it still had queued no longer counts against the server's total. */
    protected final void markClosed() {
        closed = true;
        total.add(-pending);
        pending = 0;
        output.clear();
    }

    /** Writes what is queued, as far as the socket takes it (and closes if asked to once all is written). */
    protected abstract void flush();

    /** Closes at once; the handler hears of it. */
    protected abstract void close();

    /** Flushes; a failure of this one connection closes it, never the loop that serves the others. */
    public final void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            System.err.println("cask: closed connection " + id + " after an error: " + e);
            close();
        }
    }

    /** Closed: nothing more is read or written. */
    public final boolean isClosed() {
        return closed;
    }

    /** Closing once its output is written: nothing more is read. */
    public final boolean isClosing() {
        return closeAfterWrite;
    }

    /** Hands bytes read from the socket to {@code handler} (see {@link #deliver}). */
    public final void received(Handler handler, ByteBuffer data) {
        deliver(handler, data);
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
        return total.bytes();
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

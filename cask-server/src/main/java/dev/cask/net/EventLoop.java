package dev.cask.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What every transport's loop does the same way, whatever watches its sockets: the loop thread
 * and its failure, the client count and the refusal past the limit, the connections whose output
 * a turn queued (flushed once the handler's turn ends), the pause of accepting while the process
 * is out of descriptors, and the bounded drain at close. A transport adds only how it waits,
 * accepts, reads and writes (as Netty's {@code AbstractEpollChannel} does for its channels).
 * Everything here runs on the loop thread, except {@link #close} and {@link Transport#wakeup}.
 */
public abstract class EventLoop implements Transport {
    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());
    /** How long close waits for clients to take what they are owed. */
    private static final long DRAIN_NANOS = 5_000_000_000L;
    /** How long accepting pauses after accept failed for lack of descriptors (as Redis and Netty do). */
    protected static final long ACCEPT_BACKOFF_NANOS = 100_000_000L;
    private static final long ACCEPT_FAILURE_LOG_NANOS = 10_000_000_000L;

    protected final Handler handler;
    protected ServerLimits limits;
    final OutputTotal outputTotal = new OutputTotal();
    private final List<ConnectionBase> dirty = new ArrayList<>();
    private final Set<ConnectionBase> open = new HashSet<>();
    private final String threadName;
    /** Started by {@link #startLoop}, once the subclass is built. */
    private Thread thread;
    /** False once close began (or the loop ended): nothing is accepted or read, and output is queued, not written at once. */
    protected volatile boolean running = true;
    private long nextId = 1;
    /** While accepting is paused, until when (System.nanoTime); 0 = accepting. */
    private long acceptPausedUntil;
    private long lastAcceptFailureLog;

    protected EventLoop(Handler handler, ServerLimits limits, String threadName) {
        this.handler = handler;
        this.limits = limits;
        this.threadName = threadName;
    }

    @Override
    public void limits(ServerLimits newLimits) {
        if (newLimits.readBufferBytes() != limits.readBufferBytes()) throw new IllegalArgumentException("the read buffer size is fixed at start");
        this.limits = newLimits;
    }

    /** Starts the loop thread; the subclass calls it once it is fully built. */
    protected final void startLoop() {
        thread = Thread.ofPlatform().name(threadName).start(this::run);
    }

    @Override
    public final String threadName() {
        return threadName;
    }

    /** Runs turns until {@link #running} is false. */
    protected abstract void serve() throws IOException;

    /** Stops accepting and reading (close began): from here connections are only written to. */
    protected abstract void stopListening() throws IOException;

    /** Waits up to {@code millis} for sockets that can take output, and flushes them. */
    protected abstract void awaitWritable(int millis) throws IOException;

    /** Releases the transport's own descriptors and memory, once every connection is closed. */
    protected abstract void releaseResources();

    private void run() {
        try {
            serve();
            drain();
        } catch (IOException | RuntimeException | Error e) {
            if (running) handler.onLoopFailure(e);
            else LOG.log(System.Logger.Level.WARNING, "the " + name() + " event loop failed while stopping", e);
        } finally {
            running = false;
            for (ConnectionBase c : new ArrayList<>(open)) c.close();
            releaseResources();
        }
    }

    /** Lets the handler end its turn, then writes what the turn queued (one connection's failure closes it alone). */
    protected final void endTurn() {
        handler.onTurnEnd();
        flushDirty();
    }

    private void flushDirty() {
        for (int i = 0; i < dirty.size(); i++) dirty.get(i).flushQuietly(); // by index: a flush may queue more
        dirty.clear();
    }

    final void markDirty(ConnectionBase c) {
        dirty.add(c);
    }

    /** Stops accepting and reading, lets the handler queue what it holds, and writes what is owed for a bounded time. */
    private void drain() throws IOException {
        stopListening();
        handler.onStop();
        flushDirty();
        List<ConnectionBase> owed = new ArrayList<>(open);
        for (ConnectionBase c : owed) c.closeAfterWrite();
        flushDirty();
        long deadline = System.nanoTime() + DRAIN_NANOS;
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            awaitWritable(50);
            flushDirty();
        }
    }

    /** Whether a new connection must be refused: the server holds its maximum of clients. */
    protected final boolean atClientLimit() {
        return open.size() >= limits.maxClients();
    }

    /** What a refused peer is told before its socket is closed (null: nothing). */
    protected final ByteBuffer refusal() {
        return handler.refusal();
    }

    final long nextConnectionId() {
        return nextId++;
    }

    /** Counts a new connection and tells the handler; a handler that fails on it closes that connection only. */
    protected final void opened(ConnectionBase c) {
        open.add(c);
        try {
            handler.onOpen(c);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "closed connection " + c.id() + " after an error as it opened", e);
            c.close();
        }
    }

    final void closed(ConnectionBase c) {
        open.remove(c);
        handler.onClose(c);
    }

    /** Connections open now. */
    protected final int clients() {
        return open.size();
    }

    /**
     * Accept failed ({@code why}: EMFILE, ENFILE and the like): keep serving who is connected and
     * try again after {@link #ACCEPT_BACKOFF_NANOS}; the transport stops watching its listening
     * socket meanwhile. Logged at most every 10 s.
     */
    protected final void pauseAccepting(String why) {
        long now = System.nanoTime();
        if (lastAcceptFailureLog == 0 || now - lastAcceptFailureLog > ACCEPT_FAILURE_LOG_NANOS) {
            lastAcceptFailureLog = now;
            LOG.log(System.Logger.Level.WARNING, "accept failed (" + why + "); serving the " + clients()
                    + " connected clients and trying again every " + ACCEPT_BACKOFF_NANOS / 1_000_000 + " ms");
        }
        acceptPausedUntil = now + ACCEPT_BACKOFF_NANOS;
    }

    protected final boolean acceptPaused() {
        return acceptPausedUntil != 0;
    }

    /** True (once) when a pause of accepting is over: the transport watches its listening socket again. */
    protected final boolean acceptPauseOver() {
        if (acceptPausedUntil == 0 || System.nanoTime() - acceptPausedUntil < 0) return false;
        acceptPausedUntil = 0;
        return true;
    }

    /** How long a wait may last: short while accepting is paused, so that it resumes on time, and no later than the handler is due. */
    protected final int waitMillis() {
        return Math.max(0, Math.min(acceptPausedUntil != 0 ? 50 : 200, handler.millisUntilDue()));
    }

    /** Called by {@link #close} once the loop thread has ended (not if it is stuck): memory the loop used may go. */
    protected void afterLoopEnded() {}

    @Override
    public final void close() {
        running = false;
        wakeup();
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) afterLoopEnded();
    }
}

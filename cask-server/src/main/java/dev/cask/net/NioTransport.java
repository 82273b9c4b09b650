package dev.cask.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One thread, one {@code Selector} (epoll on Linux, level-triggered). Each turn: accept what is
 * waiting, read at most one buffer per ready connection (so a big pipeline cannot starve the
 * others: what is left is read next turn), hand it to the handler, then write what the turn
 * queued. {@code OP_WRITE} is registered only while output is pending. {@code read == -1} is the
 * peer's close: what is owed is flushed, then the connection closed. An error closes that
 * connection only. {@link #close} stops accepting and reading, then writes what is owed
 * (bounded) before closing the connections.
 */
public final class NioTransport implements Transport {
    private final Selector selector;
    private final ServerSocketChannel server;
    private final Handler handler;
    private final ServerLimits limits;
    private final Thread thread;
    private final ByteBuffer readBuffer;
    private final List<Conn> dirty = new ArrayList<>();
    private static final long DRAIN_NANOS = 5_000_000_000L;
    private volatile boolean running = true;
    private long nextId = 1;
    private final dev.cask.net.OutputTotal outputTotal = new dev.cask.net.OutputTotal();
    private int clients;
    private SelectionKey acceptKey;
    /** While accept() fails for lack of descriptors, accepting pauses until then (System.nanoTime); 0 = accepting. */
    private long acceptPausedUntil;
    static final long ACCEPT_BACKOFF_NANOS = 100_000_000L;

    private NioTransport(InetSocketAddress bind, Handler handler, ServerLimits limits, String threadName) throws IOException {
        this.handler = handler;
        this.limits = limits;
        this.readBuffer = ByteBuffer.allocateDirect(limits.readBufferBytes());
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(bind, 8192);
        server.configureBlocking(false);
        this.acceptKey = server.register(selector, SelectionKey.OP_ACCEPT);
        this.thread = Thread.ofPlatform().name(threadName).unstarted(this::loop);
    }

    /** Binds and starts the loop thread. */
    public static NioTransport start(InetSocketAddress bind, Handler handler, ServerLimits limits, String threadName) throws IOException {
        NioTransport transport = new NioTransport(bind, handler, limits, threadName);
        transport.thread.start();
        return transport;
    }

    @Override
    public int port() {
        return server.socket().getLocalPort();
    }

    @Override
    public String threadName() {
        return thread.getName();
    }

    @Override
    public String name() {
        return "nio";
    }

    @Override
    public void wakeup() {
        selector.wakeup();
    }

    private void loop() {
        try {
            while (running) {
                selector.select(acceptPausedUntil != 0 ? 50 : 200);
                if (!running) break;
                resumeAccepting();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (!key.isValid()) continue;
                    if (key.isAcceptable()) accept();
                    else {
                        Conn conn = (Conn) key.attachment();
                        try {
                            if (key.isReadable()) conn.read();
                            if (key.isValid() && key.isWritable()) conn.flush();
                        } catch (RuntimeException e) { // one connection's failure closes it alone
                            System.err.println("cask: closed connection " + conn.id() + " after an error: " + e);
                            conn.close();
                        }
                    }
                }
                handler.onTurnEnd();
                for (Conn conn : dirty) conn.flushQuietly();
                dirty.clear();
            }
            drain();
        } catch (ClosedSelectorException stopped) {
            // closed from close()
        } catch (IOException | RuntimeException | Error e) {
            if (running) handler.onLoopFailure(e);
            else System.err.println("cask: event loop failed while stopping: " + e);
        } finally {
            for (SelectionKey key : selector.keys()) if (key.attachment() instanceof Conn c) c.close();
            try {
                selector.close();
                server.close();
            } catch (IOException ignored) {
                // shutting down
            }
        }
    }

    /** Stops accepting and reading, lets the handler queue what it holds, and writes what is owed for a bounded time. */
    private void drain() throws IOException {
        server.close();
        List<Conn> open = new ArrayList<>();
        for (SelectionKey key : selector.keys()) {
            if (key.isValid() && key.attachment() instanceof Conn c) {
                key.interestOps(0);
                open.add(c);
            }
        }
        handler.onStop();
        for (Conn conn : dirty) conn.flush();
        dirty.clear();
        long deadline = System.nanoTime() + DRAIN_NANOS;
        for (Conn conn : open) conn.closeAfterWrite();
        for (Conn conn : open) conn.flush();
        while (clients > 0 && System.nanoTime() < deadline) {
            selector.select(50);
            for (SelectionKey key : selector.selectedKeys()) {
                if (key.isValid() && key.isWritable() && key.attachment() instanceof Conn c) c.flush();
            }
            selector.selectedKeys().clear();
        }
    }

    private void accept() throws IOException {
        SocketChannel channel;
        while (true) {
            try {
                channel = server.accept();
            } catch (IOException e) { // EMFILE/ENFILE and the like: keep serving who is connected, try again shortly
                pauseAccepting(e);
                return;
            }
            if (channel == null) return;
            if (clients >= limits.maxClients()) {
                refuse(channel);
                continue;
            }
            Conn conn;
            try {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                conn = new Conn(channel, nextId++);
                conn.key = channel.register(selector, SelectionKey.OP_READ, conn);
            } catch (IOException e) {
                channel.close();
                continue;
            }
            clients++;
            try {
                handler.onOpen(conn);
            } catch (RuntimeException e) {
                System.err.println("cask: closed connection " + conn.id() + " after an error as it opened: " + e);
                conn.close();
            }
        }
    }

    /** Stops accepting for a moment, as Redis and Netty do when the process is out of descriptors. */
    private void pauseAccepting(IOException why) {
        if (acceptPausedUntil == 0) {
            System.err.println("cask: accept failed (" + why.getMessage() + "); serving the " + clients
                    + " connected clients and trying again in " + ACCEPT_BACKOFF_NANOS / 1_000_000 + " ms");
        }
        acceptPausedUntil = System.nanoTime() + ACCEPT_BACKOFF_NANOS;
        if (acceptKey.isValid()) acceptKey.interestOps(0);
    }

    private void resumeAccepting() {
        if (acceptPausedUntil == 0 || System.nanoTime() - acceptPausedUntil < 0) return;
        acceptPausedUntil = 0;
        if (acceptKey.isValid()) acceptKey.interestOps(SelectionKey.OP_ACCEPT);
    }

    /** Over the client limit: tells the peer why if the socket takes it at once, then closes. */
    private void refuse(SocketChannel channel) {
        try (channel) {
            ByteBuffer why = handler.refusal();
            if (why != null) {
                channel.configureBlocking(false);
                channel.write(why);
            }
        } catch (IOException ignored) {
            // the peer is gone already
        }
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Conn extends ConnectionBase {
        private final SocketChannel channel;
        private SelectionKey key;
        private boolean queued;

        Conn(SocketChannel channel, long id) {
            super(id, outputTotal);
            this.channel = channel;
        }

        void read() {
            readBuffer.clear();
            int n;
            try {
                n = channel.read(readBuffer);
            } catch (IOException e) {
                close(); // a reset or error closes this connection only
                return;
            }
            if (n < 0) { // the peer closed its side: flush what is owed, then close
                closeAfterWrite();
                return;
            }
            if (n == 0) return;
            readBuffer.flip();
            deliver(handler, readBuffer);
        }

        @Override
        public void send(ByteBuffer bytes) {
            if (closed) return;
            if (output.isEmpty() && running) { // nothing queued: try the socket now and keep only what it does not take
                try {
                    channel.write(bytes);
                } catch (IOException e) {
                    close();
                    return;
                }
                if (!bytes.hasRemaining()) return;
            }
            if (enqueue(bytes) > limits.maxPendingOutput()) { // a reader that does not read is disconnected, not buffered for
                abort();
                return;
            }
            markDirty();
        }

        private void markDirty() {
            if (!queued) {
                queued = true;
                dirty.add(this);
            }
        }

        @Override
        protected void flush() {
            queued = false;
            if (closed) return;
            try {
                while (!output.isEmpty()) {
                    ByteBuffer head = output.peek();
                    int n = channel.write(head);
                    tookOutput(n);
                    if (head.hasRemaining()) break; // the socket is full: the rest waits for OP_WRITE
                    output.poll();
                }
            } catch (IOException e) {
                close();
                return;
            }
            if (output.isEmpty() && closeAfterWrite) {
                close();
                return;
            }
            int reading = closeAfterWrite || !running ? 0 : SelectionKey.OP_READ;
            int wanted = output.isEmpty() ? reading : reading | SelectionKey.OP_WRITE;
            if (key.interestOps() != wanted) key.interestOps(wanted);
        }

        @Override
        public void closeAfterWrite() {
            if (closed) return;
            closeAfterWrite = true;
            if (key.isValid()) key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
            markDirty();
        }

        @Override
        public String peer() {
            try {
                return String.valueOf(channel.getRemoteAddress()).replaceFirst("^/", "");
            } catch (IOException e) {
                return "?";
            }
        }

        /** Closes with a reset (SO_LINGER 0): what the kernel still holds for this peer is dropped, not trickled out. */
        @Override
        public void abort() {
            try {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException ignored) {
                // closing anyway
            }
            close();
        }

        @Override
        protected void close() {
            if (closed) return;
            markClosed();
            clients--;
            key.cancel();
            try {
                channel.close();
            } catch (IOException ignored) {
                // already gone
            }
            handler.onClose(this);
        }
    }
}

package dev.cask.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;

/**
 * The loop on one {@code Selector} (epoll on Linux, level-triggered). Each turn: accept what is
 * waiting, read at most one buffer per ready connection (so a big pipeline cannot starve the
 * others: what is left is read next turn), hand it to the handler, then write what the turn
 * queued. {@code OP_WRITE} is registered only while output is pending. {@code read == -1} is the
 * peer's close: what is owed is flushed, then the connection closed. What every transport does
 * alike (limits, drain, flush loop) is in {@link EventLoop} and {@link ConnectionBase}.
 */
public final class NioTransport extends EventLoop {
    private static final System.Logger LOG = System.getLogger(NioTransport.class.getName());
    private final Selector selector;
    private final ServerSocketChannel server;
    private final ByteBuffer readBuffer;
    private final SelectionKey acceptKey;

    private NioTransport(InetSocketAddress bind, Handler handler, ServerLimits limits, String threadName) throws IOException {
        super(handler, limits, threadName);
        this.readBuffer = ByteBuffer.allocateDirect(limits.readBufferBytes());
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(bind, 8192);
        server.configureBlocking(false);
        this.acceptKey = server.register(selector, SelectionKey.OP_ACCEPT);
    }

    /** Binds and starts the loop thread. */
    public static NioTransport start(InetSocketAddress bind, Handler handler, ServerLimits limits, String threadName) throws IOException {
        NioTransport transport = new NioTransport(bind, handler, limits, threadName);
        transport.startLoop();
        return transport;
    }

    @Override
    public int port() {
        return server.socket().getLocalPort();
    }

    @Override
    public String name() {
        return "nio";
    }

    @Override
    public void wakeup() {
        selector.wakeup();
    }

    @Override
    protected void serve() throws IOException {
        while (running) {
            int wait = waitMillis();
            if (wait > 0) selector.select(wait);
            else selector.selectNow(); // select(0) would wait for ever
            if (!running) break;
            if (acceptPauseOver() && acceptKey.isValid()) acceptKey.interestOps(SelectionKey.OP_ACCEPT);
            Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey key = keys.next();
                keys.remove();
                if (!key.isValid()) continue;
                if (key.isAcceptable()) {
                    accept();
                    continue;
                }
                Conn conn = (Conn) key.attachment();
                try {
                    if (key.isReadable()) conn.read();
                    if (key.isValid() && key.isWritable()) conn.flush();
                } catch (RuntimeException e) { // one connection's failure closes it alone
                    LOG.log(System.Logger.Level.WARNING, "closed connection " + conn.id() + " after an error", e);
                    conn.close();
                }
            }
            endTurn();
        }
    }

    @Override
    protected void stopListening() throws IOException {
        server.close();
        for (SelectionKey key : selector.keys()) if (key.isValid() && key.attachment() instanceof Conn) key.interestOps(0);
    }

    @Override
    protected void awaitWritable(int millis) throws IOException {
        selector.select(millis);
        for (SelectionKey key : selector.selectedKeys()) {
            if (key.isValid() && key.isWritable() && key.attachment() instanceof Conn c) c.flushQuietly();
        }
        selector.selectedKeys().clear();
    }

    @Override
    protected void releaseResources() {
        try {
            selector.close();
            server.close();
        } catch (IOException ignored) {
            // shutting down
        }
    }

    private void accept() {
        while (true) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) { // EMFILE/ENFILE and the like
                pauseAccepting(e.getMessage());
                if (acceptKey.isValid()) acceptKey.interestOps(0);
                return;
            }
            if (channel == null) return;
            if (atClientLimit()) {
                refuse(channel);
                continue;
            }
            Conn conn;
            try {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                conn = new Conn(channel);
                conn.key = channel.register(selector, SelectionKey.OP_READ, conn);
            } catch (IOException e) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // never opened for a handler
                }
                continue;
            }
            opened(conn);
        }
    }

    /** Over the client limit: tells the peer why if the socket takes it at once, then closes. */
    private void refuse(SocketChannel channel) {
        try (channel) {
            ByteBuffer why = refusal();
            if (why != null) {
                channel.configureBlocking(false);
                channel.write(why);
            }
        } catch (IOException ignored) {
            // the peer is gone already
        }
    }

    private final class Conn extends ConnectionBase {
        private final SocketChannel channel;
        private SelectionKey key;

        Conn(SocketChannel channel) {
            super(NioTransport.this);
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
            received(handler, readBuffer);
        }

        @Override
        protected boolean writeSome(ByteBuffer bytes) {
            try {
                channel.write(bytes);
                return true;
            } catch (IOException e) {
                close();
                return false;
            }
        }

        @Override
        protected void outputWaiting(boolean waiting) {
            int reading = closeAfterWrite || !running ? 0 : SelectionKey.OP_READ;
            int wanted = waiting ? reading | SelectionKey.OP_WRITE : reading;
            if (key.isValid() && key.interestOps() != wanted) key.interestOps(wanted);
        }

        @Override
        protected void stopReading() {
            if (key.isValid()) key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
        }

        @Override
        public String peer() {
            try {
                return String.valueOf(channel.getRemoteAddress()).replaceFirst("^/", "");
            } catch (IOException e) {
                return "?";
            }
        }

        @Override
        protected void reset() {
            try {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        @Override
        protected void releaseSocket() {
            key.cancel();
            try {
                channel.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }
}

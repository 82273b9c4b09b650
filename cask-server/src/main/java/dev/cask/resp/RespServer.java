package dev.cask.resp;

import dev.cask.core.Cask;
import dev.cask.net.Transports;
import dev.cask.net.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;

/**
 * {@code cask serve}: the Redis protocol over one event-loop thread, in front of an open
 * database. Stopping (SIGTERM, SHUTDOWN or {@link #close}) stops accepting and reading, sends
 * the replies still owed (after the force they wait for), and leaves the database to its owner
 * to sync and close.
 */
public final class RespServer implements AutoCloseable {
    private final ServerState state;
    private final Transport transport;
    private final TurnSync turnSync;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile boolean closed;

    private RespServer(ServerState state, Transport transport, TurnSync turnSync) {
        this.state = state;
        this.transport = transport;
        this.turnSync = turnSync;
    }

    /** Checks the bind address against the password rule, binds, and starts the loop thread ("cask-io"). */
    public static RespServer start(Cask cask, RespConfig config, boolean allowUnprotected) throws IOException {
        InetAddress address = InetAddress.getByName(config.bind());
        if (!address.isLoopbackAddress() && config.requirePass() == null && !allowUnprotected) {
            throw new IllegalArgumentException("refusing to listen on " + config.bind() + " without --requirepass: anyone who can reach it"
                    + " could read and change the database; give --requirepass, or --allow-unprotected if the network is trusted");
        }
        ServerState state = new ServerState(cask, config);
        RespHandler handler = new RespHandler(state);
        java.util.concurrent.atomic.AtomicReference<Transport> started = new java.util.concurrent.atomic.AtomicReference<>();
        TurnSync sync = new TurnSync(cask, () -> { // wired before the loop's first turn
            Transport t = started.get();
            if (t != null) t.wakeup();
        });
        handler.attachSync(sync);
        Transport transport;
        try {
            transport = Transports.start(config.transport(), new InetSocketAddress(address, config.port()), handler, config.connections(),
                    "cask-io", notice -> System.err.println("cask: " + notice));
        } catch (IOException | RuntimeException e) {
            sync.close();
            throw e;
        }
        started.set(transport);
        state.transportName = transport.name();
        state.ioThread = transport.threadName();
        state.port = transport.port();
        RespServer server = new RespServer(state, transport, sync);
        state.shutdownRequest = server.stopRequested::countDown;
        return server;
    }

    public int port() {
        return transport.port();
    }

    public String threadName() {
        return transport.threadName();
    }

    public String transportName() {
        return transport.name();
    }

    /** Blocks until a client sends SHUTDOWN or {@link #close} is called. */
    public void awaitShutdownRequest() throws InterruptedException {
        stopRequested.await();
    }

    /** Asks {@link #awaitShutdownRequest} to return, as SHUTDOWN does (for SIGTERM). */
    public void requestShutdown() {
        stopRequested.countDown();
    }

    /** Stops accepting, sends what is owed (held replies after their force), closes the connections. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        transport.close();
        turnSync.close();
        stopRequested.countDown();
    }
}

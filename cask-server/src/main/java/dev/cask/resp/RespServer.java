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
    private static final System.Logger LOG = System.getLogger(RespServer.class.getName());
    private final ServerState state;
    private final Transport transport;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile boolean closed;
    private Thread timer;

    private RespServer(ServerState state, Transport transport) {
        this.state = state;
        this.transport = transport;
    }

    /** Checks the bind address against the password rule, binds, and starts the loop thread ("cask-io"). */
    public static RespServer start(Cask cask, RespConfig config, boolean allowUnprotected) throws IOException {
        return start(cask, config, allowUnprotected, LogSettings.fixed());
    }

    /** As {@link #start(Cask, RespConfig, boolean)}, with CONFIG GET/SET loglevel reaching the caller's log backend. */
    public static RespServer start(Cask cask, RespConfig config, boolean allowUnprotected, LogSettings log) throws IOException {
        InetAddress address = InetAddress.getByName(config.bind());
        if (!address.isLoopbackAddress() && config.requirePass() == null && !allowUnprotected) {
            throw new IllegalArgumentException("refusing to listen on " + config.bind() + " without --requirepass: anyone who can reach it"
                    + " could read and change the database; give --requirepass, or --allow-unprotected if the network is trusted");
        }
        config = fitMaxClientsToDescriptors(config, notice -> LOG.log(System.Logger.Level.WARNING, notice));
        ServerState state = new ServerState(cask, config, log, allowUnprotected);
        RespHandler handler = new RespHandler(state);
        Transport transport = Transports.start(config.transport(), new InetSocketAddress(address, config.port()), handler, config.connections(),
                "cask-io", notice -> LOG.log(System.Logger.Level.WARNING, notice));
        state.applyLimits = transport::limits;
        state.transportName = transport.name();
        state.ioThread = transport.threadName();
        state.port = transport.port();
        RespServer server = new RespServer(state, transport);
        state.shutdownRequest = server.stopRequested::countDown;
        server.startTimer(); // idle and unauthenticated clients are checked on its ticks, even if CONFIG SET turns the checks on later
        return server;
    }

    /** Descriptors kept for the database (active segment, hints, merge outputs), the JVM and the listening socket, as Redis keeps 32. */
    static final int RESERVED_DESCRIPTORS = Integer.getInteger("cask.serve.reservedDescriptors", 96); // a test sets 0 to meet EMFILE

    /**
     * As Redis does at start: if the process may not open enough descriptors for {@code maxclients}
     * clients, lower it to what the limit allows and say so. Clients past it are then refused with
     * "max number of clients reached" instead of failing accept() for everyone.
     */
    static RespConfig fitMaxClientsToDescriptors(RespConfig config, java.util.function.Consumer<String> notices) {
        int wanted = config.connections().maxClients();
        int fitted = maxClientsTheDescriptorsAllow();
        if (wanted <= fitted) return config;
        notices.accept("maxclients lowered from " + wanted + " to " + fitted + ": the descriptor limit (ulimit -n) is " + (fitted + RESERVED_DESCRIPTORS)
                + " and " + RESERVED_DESCRIPTORS + " are kept for the database and the process; raise the limit to serve more clients");
        var c = config.connections();
        return config.withConnections(new dev.cask.net.ServerLimits(fitted, c.readBufferBytes(), c.maxPendingOutput()));
    }

    /** The most clients the process's descriptor limit leaves room for (Integer.MAX_VALUE when the limit is unknown). */
    static int maxClientsTheDescriptorsAllow() {
        long limit = -1;
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            limit = unix.getMaxFileDescriptorCount();
        }
        if (limit <= 0) return Integer.MAX_VALUE;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, limit - RESERVED_DESCRIPTORS));
    }

    /** Sets the slow log's threshold (microseconds; negative: log nothing) and length, as CONFIG SET slowlog-* does. */
    public void slowLog(long slowerThanMicros, int maxLen) {
        if (maxLen < 0) throw new IllegalArgumentException("slowlog-max-len must be >= 0, got " + maxLen);
        state.slowLog.slowerThanMicros = slowerThanMicros;
        state.slowLog.maxLen = maxLen;
    }

    /** Why the event loop stopped, if it failed (then the owner should exit non-zero); null while it runs or after a clean stop. */
    public Throwable loopFailure() {
        return state.loopFailure;
    }

    /** The client limit in force (lowered at start if the descriptor limit is smaller). */
    public int maxClients() {
        return state.config.connections().maxClients();
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

    /**
     * Wakes the loop a few times a second so it checks the idle and unauthenticated timeouts even
     * when no socket is ready (an io_uring loop otherwise sleeps until a completion).
     */
    private void startTimer() {
        timer = Thread.ofPlatform().name("cask-timer").daemon().start(() -> {
            while (true) {
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
                synchronized (this) { // close() takes the same lock: no wakeup reaches a closed transport
                    if (closed) return;
                    transport.wakeup();
                }
            }
        });
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
        if (timer != null) timer.interrupt();
        // the handler's onStop forces once and releases what is held
        transport.close();
        stopRequested.countDown();
    }
}

package dev.cask.cli;

import dev.cask.core.Cask;
import dev.cask.net.ServerLimits;
import dev.cask.resp.RespConfig;
import dev.cask.resp.RespLimits;
import dev.cask.resp.RespServer;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the database over the Redis protocol (RESP2, RESP3 after HELLO 3) on one event-loop thread.",
                "redis-cli, redis-benchmark and Redis clients work unchanged. With --sync always, a write's reply leaves only"
                        + " after the force that covers it; the writes of one loop turn share one force.",
                "SIGTERM or SHUTDOWN: stop accepting, finish replies, sync and close the database."})
final class ServeCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--port", paramLabel = "P", defaultValue = "" + RespConfig.DEFAULT_PORT,
            description = "TCP port (default ${DEFAULT-VALUE}, so as not to collide with Redis's 6379; 0 picks a free one).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--requirepass", paramLabel = "PW", description = "Clients must AUTH with this password first. Needed to bind a non-loopback address.")
    String requirePass;

    @Option(names = "--allow-unprotected", description = "Allow a non-loopback --bind without --requirepass (a trusted network).")
    boolean allowUnprotected;

    @Option(names = "--maxclients", paramLabel = "N", defaultValue = "" + RespConfig.DEFAULT_MAX_CLIENTS,
            description = "Connections beyond this get '-ERR max number of clients reached' (default ${DEFAULT-VALUE}).")
    int maxClients;

    @Option(names = "--proto-max-bulk-len", paramLabel = "BYTES", description = "Longest argument (default: the engine's max value size, 64 MiB).")
    Long maxBulk;

    @Option(names = "--max-multibulk-len", paramLabel = "N", defaultValue = "1048576", description = "Most arguments in one request (default ${DEFAULT-VALUE}).")
    int maxArray;

    @Option(names = "--client-query-buffer-limit", paramLabel = "BYTES", defaultValue = "1073741824",
            description = "Bytes buffered for one unfinished request (default ${DEFAULT-VALUE}).")
    long maxQueryBuffer;

    @Option(names = "--client-output-buffer-limit", paramLabel = "BYTES", defaultValue = "" + RespConfig.DEFAULT_MAX_PENDING_OUTPUT,
            description = "Unsent replies beyond this disconnect the client: a reader that does not read (default ${DEFAULT-VALUE}).")
    long maxOutput;

    @Option(names = "--sync", paramLabel = "POLICY", converter = Main.SyncPolicyConverter.class,
            description = "The sync policy, as the global --sync (which it overrides): with always, a write's reply waits for its force.")
    dev.cask.core.SyncPolicy sync;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0",
            description = "Close a client idle this long, as Redis's timeout (default ${DEFAULT-VALUE}: never). With --requirepass, a client"
                    + " that has not authenticated 10 s after connecting is closed whatever this says.")
    int timeout;

    @Option(names = "--auth-timeout-ms", hidden = true, defaultValue = "" + RespConfig.DEFAULT_AUTH_TIMEOUT_MILLIS,
            description = "How long a client may stay connected without authenticating (tests shorten it).")
    long authTimeoutMillis;

    @Option(names = "--maxmemory-clients", paramLabel = "BYTES",
            description = "Bytes all clients' buffers (unfinished requests and unsent replies) may hold together, as Redis's"
                    + " maxmemory-clients; a client whose request or reply would pass it is closed (default: a quarter of the heap).")
    Long queryBudget;

    @Option(names = "--transport", paramLabel = "T", defaultValue = "nio",
            description = "Event loop: nio (default), epoll (edge-triggered), epoll-lt (level-triggered), io_uring.")
    String transport;

    @Override
    public Integer call() throws Exception {
        dev.cask.net.Transports.check(transport);
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be 0 .. 65535, got " + port);
        if (maxClients < 1) throw new IllegalArgumentException("--maxclients must be >= 1, got " + maxClients);
        if (timeout < 0) throw new IllegalArgumentException("--timeout must be >= 0 seconds, got " + timeout);
        if (sync != null) main.sync = sync;
        Cask cask = main.open();
        RespServer server;
        try {
            RespLimits defaults = RespLimits.forValues(cask.options().maxValueSize());
            RespLimits protocol = new RespLimits(maxBulk == null ? defaults.maxBulkLength() : maxBulk, maxArray, maxQueryBuffer);
            ServerLimits connections = new ServerLimits(maxClients, 64 << 10, maxOutput);
            RespConfig config = new RespConfig(bind, port, requirePass, protocol, connections, transport)
                    .withTimeouts(timeout, authTimeoutMillis);
            if (queryBudget != null) config = config.withQueryBudget(queryBudget);
            server = RespServer.start(cask, config, allowUnprotected);
        } catch (Exception e) {
            cask.close();
            throw e;
        }
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> { // SIGTERM, Ctrl-C
            server.requestShutdown();
            try {
                closed.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // exiting anyway
            }
        }));
        System.out.println("cask serve listening on " + bind + ":" + server.port() + " (RESP2/RESP3, transport " + server.transportName()
                + ", event loop thread " + server.threadName() + ")");
        System.out.println("cask serve database " + cask.directory().toAbsolutePath() + ", sync " + cask.options().syncPolicy()
                + ", " + cask.size() + " keys" + (requirePass != null ? ", password required" : ""));
        System.out.flush();
        Throwable failure;
        try {
            server.awaitShutdownRequest();
            failure = server.loopFailure();
            if (failure != null) {
                System.err.println("cask serve: the event loop failed (" + failure + "); syncing, closing the database and exiting"
                        + " with status " + Main.FAILURE + " so that a supervisor restarts the server");
            } else {
                System.err.println("cask serve: shutting down: finishing replies, syncing and closing the database");
            }
            server.close();
            cask.close();
            System.err.println("cask serve: stopped");
        } finally {
            closed.countDown();
        }
        return failure == null ? 0 : Main.FAILURE;
    }
}

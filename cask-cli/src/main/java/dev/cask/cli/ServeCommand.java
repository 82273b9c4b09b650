package dev.cask.cli;

import dev.cask.core.Cask;
import dev.cask.resp.RespConfig;
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
    private static final System.Logger LOG = System.getLogger(ServeCommand.class.getName());

    @ParentCommand
    Main main;

    @Option(names = "--port", paramLabel = "P",
            description = "TCP port (default " + RespConfig.DEFAULT_PORT + ", so as not to collide with Redis's 6379; 0 picks a free one).")
    Integer port;

    @Option(names = "--bind", paramLabel = "ADDR", description = "Address to listen on (default 127.0.0.1).")
    String bind;

    @Option(names = "--requirepass", paramLabel = "PW",
            description = "Clients must AUTH with this password first; needed to bind a non-loopback address. Every user sees argv in ps:"
                    + " prefer $CASK_REQUIREPASS or requirepass in --config FILE.")
    String requirePass;

    @Option(names = "--allow-unprotected", description = "Allow a non-loopback --bind without a password (a trusted network); protected-mode no in a config file.")
    Boolean allowUnprotected;

    @Option(names = "--maxclients", paramLabel = "N",
            description = "Connections beyond this get '-ERR max number of clients reached' (default " + RespConfig.DEFAULT_MAX_CLIENTS + ").")
    Integer maxClients;

    @Option(names = "--proto-max-bulk-len", paramLabel = "BYTES", converter = ByteSize.class,
            description = "Longest argument (default: the engine's max value size, 64mb).")
    Long maxBulk;

    @Option(names = "--max-multibulk-len", paramLabel = "N", description = "Most arguments in one request (default 1048576).")
    Integer maxArray;

    @Option(names = "--client-query-buffer-limit", paramLabel = "BYTES", converter = ByteSize.class,
            description = "Bytes buffered for one unfinished request (default 1gb).")
    Long maxQueryBuffer;

    @Option(names = "--client-output-buffer-limit", paramLabel = "BYTES", converter = ByteSize.class,
            description = "Unsent replies beyond this disconnect the client: a reader that does not read (default 256mb; 0: none).")
    Long maxOutput;

    @Option(names = "--timeout", paramLabel = "SECONDS",
            description = "Close a client idle this long, as Redis's timeout (default 0: never). With a password, a client"
                    + " that has not authenticated 10 s after connecting is closed whatever this says.")
    Integer timeout;

    @Option(names = "--auth-timeout-ms", hidden = true, defaultValue = "" + RespConfig.DEFAULT_AUTH_TIMEOUT_MILLIS,
            description = "How long a client may stay connected without authenticating (tests shorten it).")
    long authTimeoutMillis;

    @Option(names = "--maxmemory-clients", paramLabel = "BYTES", converter = ByteSize.class,
            description = "Bytes all clients' buffers (unfinished requests and unsent replies) may hold together, as Redis's"
                    + " maxmemory-clients; a client whose request or reply would pass it is closed (default: a quarter of the heap).")
    Long queryBudget;

    @Option(names = "--list-cache", paramLabel = "BYTES", converter = ByteSize.class,
            description = "Bytes of list elements held in memory, so that LRANGE, LINDEX and the pops read a list's hot part without"
                    + " the log; 0 holds none (default: 64mb, or a sixteenth of the heap if that is less).")
    Long listCache;

    @Option(names = "--transport", paramLabel = "T", description = "Event loop: nio (default), epoll (edge-triggered), epoll-lt (level-triggered), io_uring.")
    String transport;

    @Override
    public Integer call() throws Exception {
        ServerSettings settings = ServerSettings.resolve(this, main.config());
        Cask cask = main.open(false); // the loop shares the cores with its clients: the warmer's CPU would cost them throughput
        RespServer server;
        try {
            RespConfig config = settings.respConfig(cask.options().maxValueSize(), authTimeoutMillis);
            server = RespServer.start(cask, config, settings.allowUnprotected(), new SinkSettings());
            settings.applyRunTimeSettings(server);
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
        System.out.println("cask serve listening on " + settings.bind() + ":" + server.port() + " (RESP2/RESP3, transport " + server.transportName()
                + ", event loop thread " + server.threadName() + ")");
        System.out.println("cask serve database " + cask.directory().toAbsolutePath() + ", sync " + cask.options().syncPolicy()
                + ", " + cask.size() + " keydir entries (DBSIZE counts keys)" + (settings.requirePass() != null ? ", password required" : ""));
        if (settings.passwordFromArgv()) {
            LOG.log(System.Logger.Level.WARNING, "the password was given as --requirepass: every user of this machine can read it in ps;"
                    + " give it in $CASK_REQUIREPASS or as requirepass in --config FILE");
        }
        System.out.flush();
        Throwable failure;
        try {
            server.awaitShutdownRequest();
            failure = server.loopFailure();
            if (failure != null) {
                LOG.log(System.Logger.Level.ERROR, "the event loop failed (" + failure + "); syncing, closing the database and exiting"
                        + " with status " + Main.FAILURE + " so that a supervisor restarts the server");
            } else {
                LOG.log(System.Logger.Level.INFO, "shutting down: finishing replies, syncing and closing the database");
            }
            server.close();
            cask.close();
            LOG.log(System.Logger.Level.INFO, "stopped");
        } finally {
            closed.countDown();
        }
        return failure == null ? 0 : Main.FAILURE;
    }

    /** CONFIG GET/SET loglevel and logfile reach the command line's log. */
    private static final class SinkSettings implements dev.cask.resp.LogSettings {
        @Override
        public String level() {
            return LogSink.level();
        }

        @Override
        public void level(String name) {
            LogSink.level(name);
        }

        @Override
        public String file() {
            return LogSink.file();
        }
    }
}

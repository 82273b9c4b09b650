package dev.cask.resp;

import dev.cask.core.Cask;
import dev.cask.core.CaskOptions;
import dev.cask.net.ServerLimits;
import java.io.IOException;
import java.nio.file.Path;

/** A real database on a real disk behind a real server on a loopback port, for one test. */
final class TestServer implements AutoCloseable {
    final Cask cask;
    final RespServer server;

    private TestServer(Cask cask, RespServer server) {
        this.cask = cask;
        this.server = server;
    }

    static TestServer start(Path dir) throws IOException {
        return start(dir, CaskOptions.defaults(), null, RespLimits.forValues(CaskOptions.DEFAULT_MAX_VALUE_SIZE), defaultLimits());
    }

    static ServerLimits defaultLimits() {
        return new ServerLimits(RespConfig.DEFAULT_MAX_CLIENTS, 64 << 10, RespConfig.DEFAULT_MAX_PENDING_OUTPUT);
    }

    static TestServer start(Path dir, CaskOptions options, String password, RespLimits protocol, ServerLimits connections) throws IOException {
        return start(dir, options, password, protocol, connections, -1, c -> c);
    }

    /** With a server-wide query budget (bytes). */
    static TestServer start(Path dir, CaskOptions options, String password, RespLimits protocol, ServerLimits connections, long queryBudget)
            throws IOException {
        return start(dir, options, password, protocol, connections, queryBudget, c -> c);
    }

    /** With a query budget (-1: the default) and any other change to the configuration. */
    static TestServer start(Path dir, CaskOptions options, String password, RespLimits protocol, ServerLimits connections, long queryBudget,
                            java.util.function.UnaryOperator<RespConfig> change) throws IOException {
        Cask cask = Cask.open(dir, options);
        try {
            RespConfig config = new RespConfig("127.0.0.1", 0, password, protocol, connections, transport());
            if (queryBudget > 0) config = config.withQueryBudget(queryBudget);
            RespServer server = RespServer.start(cask, change.apply(config), false);
            if (!server.transportName().equals(transport())) {
                server.close();
                throw new AssertionError("asked for transport " + transport() + ", got " + server.transportName());
            }
            return new TestServer(cask, server);
        } catch (IOException | RuntimeException e) {
            cask.close();
            throw e;
        }
    }

    /** Records of the engine whose keys are collection elements: what a delete leaves and the sweeper clears. */
    long elementRecords() {
        java.util.concurrent.atomic.AtomicLong n = new java.util.concurrent.atomic.AtomicLong();
        cask.forEachKey(k -> {
            if (CollectionKeys.isElement(k)) n.incrementAndGet();
        });
        return n.get();
    }

    /** The transport under test: the {@code cask.transport} system property (the suite runs once per transport), else nio. */
    static String transport() {
        return dev.cask.net.TestTransport.name();
    }

    int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
        cask.close();
    }
}

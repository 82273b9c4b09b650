package dev.cask.resp;

import dev.cask.net.ServerLimits;

/**
 * How {@code cask serve} runs.
 *
 * @param bind the address to listen on
 * @param port the TCP port (0: any free one)
 * @param requirePass the password AUTH must give, or null for none (an empty one is none too)
 * @param protocol the RESP request limits
 * @param connections client count, per-turn read size and pending-output limits
 * @param transport nio, epoll, epoll-lt or io_uring (see {@link dev.cask.net.Transports})
 * @param timeoutSeconds close a client idle this long (Redis's {@code timeout}); 0 = never
 * @param authTimeoutMillis close a client that has not authenticated this long after it connected (with a password only)
 * @param queryBudget bytes all clients' unfinished requests may hold together (see {@link QueryBudget})
 * @param listCache bytes of list elements held in memory for reads (see {@link ListWindows}); 0 holds none
 */
public record RespConfig(String bind, int port, String requirePass, RespLimits protocol, ServerLimits connections, String transport,
                         int timeoutSeconds, long authTimeoutMillis, long queryBudget, long listCache) {
    /** Cask's default port: Redis's 6379 is left to Redis. */
    public static final int DEFAULT_PORT = 6380;
    /** Redis's default {@code maxclients}. */
    public static final int DEFAULT_MAX_CLIENTS = 10_000;
    /** Redis's default hard limit for a normal client's output buffer is none; Cask bounds it. */
    public static final long DEFAULT_MAX_PENDING_OUTPUT = 256L << 20;
    /** How long a client may stay connected without authenticating, when a password is required. */
    public static final long DEFAULT_AUTH_TIMEOUT_MILLIS = 10_000;

    public RespConfig {
        if (requirePass != null && requirePass.isEmpty()) requirePass = null; // as Redis: an empty requirepass is no password
        if (timeoutSeconds < 0) throw new IllegalArgumentException("timeout must be >= 0 seconds, got " + timeoutSeconds);
        if (authTimeoutMillis < 1) throw new IllegalArgumentException("auth timeout must be >= 1 ms, got " + authTimeoutMillis);
        if (queryBudget < RespLimits.MAX_LINE) {
            throw new IllegalArgumentException("maxmemory-clients must be >= " + RespLimits.MAX_LINE + " bytes, got " + queryBudget);
        }
        if (listCache < 0) throw new IllegalArgumentException("list-cache must be >= 0 bytes, got " + listCache);
    }

    /** With Redis's defaults for the idle timeout (off), the unauthenticated timeout and the server-wide query budget, and the default list cache. */
    public RespConfig(String bind, int port, String requirePass, RespLimits protocol, ServerLimits connections, String transport) {
        this(bind, port, requirePass, protocol, connections, transport, 0, DEFAULT_AUTH_TIMEOUT_MILLIS, QueryBudget.defaultLimit(),
                ListWindows.defaultBudget());
    }

    public RespConfig withTimeouts(int idleSeconds, long authMillis) {
        return new RespConfig(bind, port, requirePass, protocol, connections, transport, idleSeconds, authMillis, queryBudget, listCache);
    }

    public RespConfig withRequirePass(String password) {
        return new RespConfig(bind, port, password, protocol, connections, transport, timeoutSeconds, authTimeoutMillis, queryBudget, listCache);
    }

    public RespConfig withProtocol(RespLimits limits) {
        return new RespConfig(bind, port, requirePass, limits, connections, transport, timeoutSeconds, authTimeoutMillis, queryBudget, listCache);
    }

    public RespConfig withConnections(ServerLimits limits) {
        return new RespConfig(bind, port, requirePass, protocol, limits, transport, timeoutSeconds, authTimeoutMillis, queryBudget, listCache);
    }

    public RespConfig withQueryBudget(long bytes) {
        return new RespConfig(bind, port, requirePass, protocol, connections, transport, timeoutSeconds, authTimeoutMillis, bytes, listCache);
    }

    public RespConfig withListCache(long bytes) {
        return new RespConfig(bind, port, requirePass, protocol, connections, transport, timeoutSeconds, authTimeoutMillis, queryBudget, bytes);
    }
}

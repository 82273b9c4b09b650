package dev.cask.resp;

import dev.cask.net.ServerLimits;

/**
 * How {@code cask serve} runs.
 *
 * @param bind the address to listen on
 * @param port the TCP port (0: any free one)
 * @param requirePass the password AUTH must give, or null for none
 * @param protocol the RESP request limits
 * @param connections client count, per-turn read size and pending-output limits
 * @param transport nio, epoll, epoll-lt or io_uring (see {@link dev.cask.net.Transports})
 */
public record RespConfig(String bind, int port, String requirePass, RespLimits protocol, ServerLimits connections, String transport) {
    /** Cask's default port: Redis's 6379 is left to Redis. */
    public static final int DEFAULT_PORT = 6380;
    /** Redis's default {@code maxclients}. */
    public static final int DEFAULT_MAX_CLIENTS = 10_000;
    /** Redis's default hard limit for a normal client's output buffer is none; Cask bounds it. */
    public static final long DEFAULT_MAX_PENDING_OUTPUT = 256L << 20;
}

package dev.cask.resp;

/**
 * The bytes all clients' unfinished requests may hold together, so that many clients, each within
 * its own query-buffer limit, cannot exhaust the heap between them. Used on the loop thread only.
 * A client whose request would take the total past the limit gets a protocol error and is closed;
 * the others go on.
 */
public final class QueryBudget {
    private final long limit;
    private long used;

    public QueryBudget(long limit) {
        if (limit < RespLimits.MAX_LINE) throw new IllegalArgumentException("query budget must be >= " + RespLimits.MAX_LINE + ", got " + limit);
        this.limit = limit;
    }

    /** No server-wide bound (a parser used alone). */
    static QueryBudget unbounded() {
        return new QueryBudget(Long.MAX_VALUE);
    }

    /** The default: a quarter of the largest heap the JVM may use. */
    public static long defaultLimit() {
        return Math.max(RespLimits.MAX_LINE, Runtime.getRuntime().maxMemory() / 4);
    }

    void take(long bytes) {
        used += bytes;
    }

    void release(long bytes) {
        used = Math.max(0, used - bytes);
    }

    boolean exceeded() {
        return used > limit;
    }

    public long limit() {
        return limit;
    }

    public long used() {
        return used;
    }
}

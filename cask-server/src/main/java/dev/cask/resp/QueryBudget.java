package dev.cask.resp;

/**
 * The bytes all clients' unfinished requests hold together, counted as they are allocated. The
 * handler adds the replies not yet sent and holds the sum to {@code maxmemory-clients}: past it,
 * the client holding the most is closed, as Redis does, so that one greedy client cannot make the
 * well-behaved ones fail. Used on the loop thread only.
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

    public long limit() {
        return limit;
    }

    public long used() {
        return used;
    }
}

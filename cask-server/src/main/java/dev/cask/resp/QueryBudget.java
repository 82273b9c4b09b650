package dev.cask.resp;

/**
 * The bytes all clients' unfinished requests hold together, counted as they are allocated. The
 * handler adds the replies not yet sent and holds the sum to {@code maxmemory-clients}: past it,
 * the client holding the most is closed, as Redis does, so that one greedy client cannot make the
 * well-behaved ones fail. Used on the loop thread only.
 */
public final class QueryBudget {
    private long used;

    /** Starts with nothing used. */
    public QueryBudget() {
        // taken and released by the parsers that share it
    }

    /** A count of its own (a parser used alone). */
    static QueryBudget unbounded() {
        return new QueryBudget();
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

    public long used() {
        return used;
    }
}

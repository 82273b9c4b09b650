package dev.cask.resp;

/**
 * What one client may make the server hold while it parses a request. Defaults follow Redis
 * where Redis has one, but the bulk length defaults to the engine's largest value, because a
 * longer argument could never be stored anyway.
 *
 * @param maxBulkLength the longest argument ({@code proto-max-bulk-len}); longer gets "invalid bulk length"
 * @param maxArrayLength the most arguments in one request; more gets "invalid multibulk length"
 * @param maxQueryBuffer bytes buffered for one unfinished request ({@code client-query-buffer-limit})
 */
public record RespLimits(long maxBulkLength, int maxArrayLength, long maxQueryBuffer) {
    /** Redis's limit on an inline command line and on a header line (PROTO_INLINE_MAX_SIZE). */
    public static final int MAX_LINE = 64 * 1024;

    public RespLimits {
        if (maxBulkLength < 1 || maxBulkLength > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("max bulk length must be 1 .. " + (Integer.MAX_VALUE - 16) + ", got " + maxBulkLength);
        }
        if (maxArrayLength < 1) throw new IllegalArgumentException("max array length must be >= 1, got " + maxArrayLength);
        if (maxQueryBuffer < MAX_LINE) throw new IllegalArgumentException("max query buffer must be >= " + MAX_LINE + ", got " + maxQueryBuffer);
    }

    public static RespLimits forValues(int maxValueSize) {
        return new RespLimits(Math.max(maxValueSize, 1024), 1024 * 1024, 1L << 30);
    }
}

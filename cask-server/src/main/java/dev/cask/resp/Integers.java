package dev.cask.resp;

/** Redis's strict decimal integers: optional minus, digits, no spaces, no plus, no leading zeros, 64-bit. */
final class Integers {
    /** Marks "not an integer"; Long.MIN_VALUE itself is never needed as a value here. */
    static final long INVALID = Long.MIN_VALUE;

    private static final byte[] MIN_TEXT = Long.toString(Long.MIN_VALUE).getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private Integers() {}

    /** Whether {@code b} is a Redis integer; then {@link #parse} gives its value, {@link Long#MIN_VALUE} included. */
    static boolean valid(byte[] b) {
        return parse(b) != INVALID || java.util.Arrays.equals(b, MIN_TEXT);
    }

    static long parse(byte[] b) {
        return parse(b, 0, b.length);
    }

    static long parse(byte[] b, int from, int to) {
        int n = to - from;
        if (n <= 0 || n > 20) return INVALID;
        int i = from;
        boolean negative = b[i] == '-';
        if (negative) {
            i++;
            if (i == to) return INVALID;
        }
        if (b[i] == '0' && (to - i > 1 || negative)) return INVALID;
        long value = 0;
        for (; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) return INVALID;
            if (value < (Long.MIN_VALUE + d) / 10) return INVALID; // accumulate negatively to reach Long.MIN_VALUE's neighbour
            value = value * 10 - d;
        }
        if (negative) return value == Long.MIN_VALUE ? INVALID : value;
        if (value == Long.MIN_VALUE) return INVALID;
        return -value;
    }
}

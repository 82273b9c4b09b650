package dev.cask.resp;

import java.util.Locale;

/**
 * A byte count as redis.conf and CONFIG SET write it: a plain number, or one with a unit, k/m/g
 * for powers of 1000 and kb/mb/gb for powers of 1024, in any case ({@code 64mb}, {@code 1gb}).
 */
public final class MemorySize {
    private MemorySize() {}

    /** The count; a malformed, negative or overflowing one is an IllegalArgumentException that says why. */
    public static long parse(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        long unit = 1;
        int suffix = 0;
        if (s.endsWith("kb")) {
            unit = 1L << 10;
            suffix = 2;
        } else if (s.endsWith("mb")) {
            unit = 1L << 20;
            suffix = 2;
        } else if (s.endsWith("gb")) {
            unit = 1L << 30;
            suffix = 2;
        } else if (s.endsWith("k")) {
            unit = 1_000;
            suffix = 1;
        } else if (s.endsWith("m")) {
            unit = 1_000_000;
            suffix = 1;
        } else if (s.endsWith("g")) {
            unit = 1_000_000_000;
            suffix = 1;
        } else if (s.endsWith("b")) {
            suffix = 1;
        }
        long n;
        try {
            n = Long.parseLong(s.substring(0, s.length() - suffix));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a byte count (a number, optionally with k, kb, m, mb, g or gb)", e);
        }
        if (n < 0) throw new IllegalArgumentException("'" + text + "' is negative");
        try {
            return Math.multiplyExact(n, unit);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too large", e);
        }
    }
}

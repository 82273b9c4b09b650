package dev.cask.core;

/**
 * Redis-style glob over key bytes: {@code *} any run, {@code ?} one byte, {@code [abc]},
 * {@code [^a-z]} classes, and {@code \} to escape. Matching is iterative (no recursion) so that
 * hostile patterns cannot blow the stack.
 */
public final class KeyPattern {
    private final byte[] pattern;

    private KeyPattern(byte[] pattern) {
        this.pattern = pattern;
    }

    public static KeyPattern of(byte[] pattern) {
        return new KeyPattern(pattern.clone());
    }

    /** Whether this pattern is just {@code *}, which matches every key. */
    public boolean matchesAll() {
        return pattern.length == 1 && pattern[0] == '*';
    }

    public boolean matches(byte[] key) {
        int p = 0;
        int k = 0;
        int starP = -1;
        int starK = -1;
        while (k < key.length) {
            if (p < pattern.length && pattern[p] == '*') {
                starP = p++;
                starK = k;
                continue;
            }
            int next = p < pattern.length ? matchOne(p, key[k]) : -1;
            if (next >= 0) {
                p = next;
                k++;
            } else if (starP >= 0) {
                p = starP + 1;
                k = ++starK;
            } else {
                return false;
            }
        }
        while (p < pattern.length && pattern[p] == '*') p++;
        return p == pattern.length;
    }

    /** Matches one byte at pattern position {@code p}; returns the next pattern position, or -1. */
    private int matchOne(int p, byte b) {
        byte c = pattern[p];
        if (c == '?') return p + 1;
        if (c == '\\' && p + 1 < pattern.length) return pattern[p + 1] == b ? p + 2 : -1;
        if (c == '[') return matchClass(p + 1, b);
        return c == b ? p + 1 : -1;
    }

    private int matchClass(int p, byte b) {
        boolean negate = p < pattern.length && pattern[p] == '^';
        if (negate) p++;
        boolean matched = false;
        while (p < pattern.length && pattern[p] != ']') {
            if (pattern[p] == '\\' && p + 1 < pattern.length) {
                matched |= pattern[p + 1] == b;
                p += 2;
            } else if (p + 2 < pattern.length && pattern[p + 1] == '-' && pattern[p + 2] != ']') {
                int lo = Math.min(pattern[p] & 0xff, pattern[p + 2] & 0xff);
                int hi = Math.max(pattern[p] & 0xff, pattern[p + 2] & 0xff);
                matched |= (b & 0xff) >= lo && (b & 0xff) <= hi;
                p += 3;
            } else {
                matched |= pattern[p] == b;
                p++;
            }
        }
        if (p >= pattern.length) return -1; // unterminated class: Redis treats it as no match
        return matched != negate ? p + 1 : -1;
    }
}

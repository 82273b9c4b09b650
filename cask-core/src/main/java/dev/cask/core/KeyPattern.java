package dev.cask.core;

import java.util.Arrays;

/**
 * Redis-style glob over key bytes: {@code *} any run, {@code ?} one byte, {@code [abc]},
 * {@code [^a-z]} classes, and {@code \} to escape. The pattern is compiled once into tokens, each
 * class into a 256-bit set, so a class costs one lookup per byte however long it was written
 * (a hostile {@code *[} + 60 MiB + {@code ]} once took a minute per KEYS). Matching is iterative
 * (no recursion) so that hostile patterns cannot blow the stack. Patterns longer than
 * {@link #MAX_LENGTH} are refused.
 */
public final class KeyPattern {
    /** The longest pattern accepted: Redis's inline request limit; no real pattern comes near it. */
    public static final int MAX_LENGTH = 64 * 1024;

    private static final int STAR = -1;
    private static final int ANY = -2;
    /** A token: a byte 0..255 to match exactly, STAR, ANY, or (CLASS_BASE - index) for classes[index]. */
    private static final int CLASS_BASE = -3;
    /** A token that can never match: an unterminated class, which Redis treats as no match. */
    private static final int NEVER = Integer.MIN_VALUE;

    private final int[] tokens;
    private final long[][] classes;

    private KeyPattern(int[] tokens, long[][] classes) {
        this.tokens = tokens;
        this.classes = classes;
    }

    /** Compiles {@code pattern}; throws IllegalArgumentException if it is longer than {@link #MAX_LENGTH}. */
    public static KeyPattern of(byte[] pattern) {
        if (pattern.length > MAX_LENGTH) {
            throw new IllegalArgumentException("pattern of " + pattern.length + " bytes is too long (at most " + MAX_LENGTH + ")");
        }
        int[] tokens = new int[pattern.length];
        long[][] classes = new long[4][];
        int n = 0;
        int nClasses = 0;
        for (int p = 0; p < pattern.length; ) {
            byte c = pattern[p];
            if (c == '*') {
                if (n == 0 || tokens[n - 1] != STAR) tokens[n++] = STAR; // runs of stars are one star
                p++;
            } else if (c == '?') {
                tokens[n++] = ANY;
                p++;
            } else if (c == '\\' && p + 1 < pattern.length) {
                tokens[n++] = pattern[p + 1] & 0xff;
                p += 2;
            } else if (c == '[') {
                long[] set = new long[4];
                p = compileClass(pattern, p + 1, set);
                if (p < 0) {
                    tokens[n++] = NEVER;
                    break;
                }
                if (nClasses == classes.length) classes = Arrays.copyOf(classes, nClasses * 2);
                classes[nClasses] = set;
                tokens[n++] = CLASS_BASE - nClasses++;
            } else {
                tokens[n++] = c & 0xff;
                p++;
            }
        }
        return new KeyPattern(Arrays.copyOf(tokens, n), Arrays.copyOf(classes, nClasses));
    }

    /** Fills {@code set} from the class starting at {@code p} (after '['); returns the position after ']' or -1 if unterminated. */
    private static int compileClass(byte[] pattern, int p, long[] set) {
        boolean negate = p < pattern.length && pattern[p] == '^';
        if (negate) p++;
        while (p < pattern.length && pattern[p] != ']') {
            if (pattern[p] == '\\' && p + 1 < pattern.length) {
                add(set, pattern[p + 1] & 0xff);
                p += 2;
            } else if (p + 2 < pattern.length && pattern[p + 1] == '-' && pattern[p + 2] != ']') {
                int lo = Math.min(pattern[p] & 0xff, pattern[p + 2] & 0xff);
                int hi = Math.max(pattern[p] & 0xff, pattern[p + 2] & 0xff);
                for (int b = lo; b <= hi; b++) add(set, b);
                p += 3;
            } else {
                add(set, pattern[p] & 0xff);
                p++;
            }
        }
        if (p >= pattern.length) return -1;
        if (negate) for (int i = 0; i < 4; i++) set[i] = ~set[i];
        return p + 1;
    }

    private static void add(long[] set, int b) {
        set[b >>> 6] |= 1L << (b & 63);
    }

    /** Whether this pattern is just {@code *}, which matches every key. */
    public boolean matchesAll() {
        return tokens.length == 1 && tokens[0] == STAR;
    }

    public boolean matches(byte[] key) {
        int p = 0;
        int k = 0;
        int starP = -1;
        int starK = -1;
        while (k < key.length) {
            if (p < tokens.length && tokens[p] == STAR) {
                starP = p++;
                starK = k;
                continue;
            }
            if (p < tokens.length && matchOne(tokens[p], key[k] & 0xff)) {
                p++;
                k++;
            } else if (starP >= 0) {
                p = starP + 1;
                k = ++starK;
            } else {
                return false;
            }
        }
        while (p < tokens.length && tokens[p] == STAR) p++;
        return p == tokens.length;
    }

    private boolean matchOne(int token, int b) {
        if (token >= 0) return token == b;
        if (token == ANY) return true;
        if (token == NEVER) return false;
        long[] set = classes[CLASS_BASE - token];
        return (set[b >>> 6] & (1L << (b & 63))) != 0;
    }
}

package dev.cask.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The compiled glob matches exactly as the byte-by-byte matcher it replaced, and hostile patterns cost little. */
class KeyPatternProperties {
    @Provide
    Arbitrary<byte[]> patterns() {
        return Arbitraries.of((byte) 'a', (byte) 'b', (byte) '*', (byte) '?', (byte) '[', (byte) ']', (byte) '^', (byte) '-', (byte) '\\', (byte) 'c')
                .array(byte[].class).ofMaxSize(10);
    }

    @Provide
    Arbitrary<byte[]> keys() {
        return Arbitraries.of((byte) 'a', (byte) 'b', (byte) 'c', (byte) '[', (byte) ']', (byte) '-', (byte) '\\', (byte) 0xff)
                .array(byte[].class).ofMinSize(0).ofMaxSize(8);
    }

    @Property(tries = 3000)
    void matchesAsTheReferenceMatcher(@ForAll("patterns") byte[] pattern, @ForAll("keys") byte[] key) {
        assertThat(KeyPattern.of(pattern).matches(key)).as("pattern %s key %s", new String(pattern), new String(key))
                .isEqualTo(new Reference(pattern).matches(key));
    }

    @Test
    void everyday() {
        assertThat(KeyPattern.of("user:*".getBytes()).matches("user:42".getBytes())).isTrue();
        assertThat(KeyPattern.of("h?llo".getBytes()).matches("hallo".getBytes())).isTrue();
        assertThat(KeyPattern.of("h[^e]llo".getBytes()).matches("hello".getBytes())).isFalse();
        assertThat(KeyPattern.of("h[a-b]llo".getBytes()).matches("hbllo".getBytes())).isTrue();
        assertThat(KeyPattern.of("*".getBytes()).matchesAll()).isTrue();
    }

    /** Failed on the code before the hardening issue: a class was rescanned for every byte of every key. */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aHugeClassCostsOneLookupPerByteAndAnOverlongPatternIsRefused() {
        byte[] pattern = new byte[KeyPattern.MAX_LENGTH];
        pattern[0] = '*';
        pattern[1] = '[';
        for (int i = 2; i < pattern.length - 1; i++) pattern[i] = (byte) ('a' + i % 3);
        pattern[pattern.length - 1] = ']';
        KeyPattern p = KeyPattern.of(pattern);
        byte[] key = new byte[1024];
        java.util.Arrays.fill(key, (byte) 'z');
        for (int i = 0; i < 10_000; i++) assertThat(p.matches(key)).isFalse();
        assertThatThrownBy(() -> KeyPattern.of(new byte[KeyPattern.MAX_LENGTH + 1])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too long");
    }

    /** The matcher as it was before patterns were compiled: the oracle. */
    private record Reference(byte[] pattern) {
        boolean matches(byte[] key) {
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
}

package dev.cask.peers;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The data every engine gets: 16-byte keys and 100-byte values that are a function of the key's
 * number and a generation, so that every get can be checked without keeping the values.
 */
final class Workload {
    static final int VALUE_SIZE = 100;

    private Workload() {}

    static byte[] key(int i) {
        byte[] key = ("k" + "0".repeat(15)).getBytes(StandardCharsets.US_ASCII);
        for (int at = 15; i > 0; at--, i /= 10) key[at] = (byte) ('0' + i % 10);
        return key;
    }

    /** A fresh array each time: an engine may keep the one it is given (MVStore does). */
    static byte[] value(int i, int generation) {
        byte[] value = new byte[VALUE_SIZE];
        long x = (i * 0x9E3779B97F4A7C15L) ^ (generation * 0xC2B2AE3D27D4EB4FL) ^ 0x5851F42D4C957F2DL;
        for (int at = 0; at < VALUE_SIZE; at++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            value[at] = (byte) x;
        }
        return value;
    }

    static boolean matches(byte[] found, int i, int generation) {
        return found != null && Arrays.equals(found, value(i, generation));
    }

    /** 0 .. n-1 in a random order, the same for every engine. */
    static int[] permutation(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}

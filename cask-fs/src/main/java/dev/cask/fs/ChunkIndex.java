package dev.cask.fs;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which chunk indexes each file may have stored, in order, so that truncating or deleting a file
 * costs work in proportion to the chunks it stores, not to its size: a 64 TiB sparse file with
 * three chunks is freed in three steps, not a billion. The keydir is a hash table and cannot list
 * one file's chunks. Kept as a superset: an index is added before its chunk is written and left
 * after the chunk is deleted until a later walk finds it gone (a failed write then leaves only a
 * stale index, never a stored chunk the index does not know). Memory: one bit per possible chunk
 * in 4,096-chunk blocks (512 bytes per 256 MiB of file that holds any data).
 */
final class ChunkIndex {
    private static final int BLOCK_BITS = 12;
    private static final int BLOCK_LONGS = (1 << BLOCK_BITS) / 64;

    private final Map<Long, TreeMap<Long, long[]>> byInode = new HashMap<>();

    void add(long ino, long index) {
        long[] block = byInode.computeIfAbsent(ino, k -> new TreeMap<>()).computeIfAbsent(index >>> BLOCK_BITS, k -> new long[BLOCK_LONGS]);
        int bit = (int) (index & ((1 << BLOCK_BITS) - 1));
        block[bit >>> 6] |= 1L << (bit & 63);
    }

    void remove(long ino, long index) {
        TreeMap<Long, long[]> blocks = byInode.get(ino);
        if (blocks == null) return;
        long[] block = blocks.get(index >>> BLOCK_BITS);
        if (block == null) return;
        int bit = (int) (index & ((1 << BLOCK_BITS) - 1));
        block[bit >>> 6] &= ~(1L << (bit & 63));
        for (long w : block) if (w != 0) return;
        blocks.remove(index >>> BLOCK_BITS);
        if (blocks.isEmpty()) byInode.remove(ino);
    }

    void forget(long ino) {
        byInode.remove(ino);
    }

    /**
     * Up to {@code max} indexes of {@code ino} at or after {@code from}, ascending; the array is
     * shorter when there are fewer.
     */
    long[] from(long ino, long from, int max) {
        TreeMap<Long, long[]> blocks = byInode.get(ino);
        if (blocks == null || max <= 0) return new long[0];
        long[] out = new long[Math.min(max, 1024)];
        int n = 0;
        for (Map.Entry<Long, long[]> e : blocks.tailMap(from >>> BLOCK_BITS, true).entrySet()) {
            long base = e.getKey() << BLOCK_BITS;
            long[] block = e.getValue();
            for (int w = 0; w < BLOCK_LONGS; w++) {
                long bits = block[w];
                while (bits != 0) {
                    int b = Long.numberOfTrailingZeros(bits);
                    bits &= bits - 1;
                    long index = base + w * 64L + b;
                    if (index < from) continue;
                    if (n == out.length) {
                        if (n == max) return out;
                        out = java.util.Arrays.copyOf(out, Math.min(max, n * 2));
                    }
                    out[n++] = index;
                }
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }
}

package dev.cask.resp;

/**
 * The longest common subsequence of two strings and the ranges it matches, walked back from the
 * ends as Redis 7 does, so that the matches come in its order (last first) and its tie-breaking.
 */
final class Lcs {
    /** Redis refuses tables past this many cells rather than allocate them (it caps at 4 GiB of uint32). */
    private static final long MAX_CELLS = 1L << 30;

    private Lcs() {}

    static void reply(byte[] a, byte[] b, boolean len, boolean idx, long minMatchLen, boolean withMatchLen, Reply r) {
        int alen = a.length;
        int blen = b.length;
        if ((long) (alen + 1) * (blen + 1) > MAX_CELLS) {
            r.error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
            return;
        }
        int[] table = new int[(alen + 1) * (blen + 1)];
        int w = blen + 1;
        for (int i = 1; i <= alen; i++) {
            for (int j = 1; j <= blen; j++) {
                table[i * w + j] = a[i - 1] == b[j - 1] ? table[(i - 1) * w + j - 1] + 1 : Math.max(table[(i - 1) * w + j], table[i * w + j - 1]);
            }
        }
        int total = table[alen * w + blen];
        if (len) {
            r.integer(total);
            return;
        }
        byte[] result = new byte[total];
        java.util.List<long[]> matches = new java.util.ArrayList<>();
        int at = total;
        int aStart = alen, aEnd = 0, bStart = 0, bEnd = 0;
        int i = alen, j = blen;
        while (i > 0 && j > 0) {
            boolean emit = false;
            if (a[i - 1] == b[j - 1]) {
                result[at - 1] = a[i - 1];
                if (aStart == alen) {
                    aStart = i - 1;
                    aEnd = i - 1;
                    bStart = j - 1;
                    bEnd = j - 1;
                } else if (aStart == i && bStart == j) {
                    aStart--;
                    bStart--;
                } else {
                    emit = true;
                }
                if (aStart == 0 || bStart == 0) emit = true;
                at--;
                i--;
                j--;
            } else {
                if (table[(i - 1) * w + j] > table[i * w + j - 1]) i--;
                else j--;
                if (aStart != alen) emit = true;
            }
            if (emit) {
                long matchLen = aEnd - aStart + 1L;
                if (minMatchLen == 0 || matchLen >= minMatchLen) matches.add(new long[] {aStart, aEnd, bStart, bEnd, matchLen});
                aStart = alen;
            }
        }
        if (!idx) {
            r.bulk(result);
            return;
        }
        r.map(2);
        r.bulk("matches");
        r.array(matches.size());
        for (long[] m : matches) {
            r.array(withMatchLen ? 3 : 2);
            r.array(2);
            r.integer(m[0]);
            r.integer(m[1]);
            r.array(2);
            r.integer(m[2]);
            r.integer(m[3]);
            if (withMatchLen) r.integer(m[4]);
        }
        r.bulk("len");
        r.integer(total);
    }
}

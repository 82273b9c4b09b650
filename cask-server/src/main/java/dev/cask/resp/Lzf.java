package dev.cask.resp;

/**
 * LZF decompression (liblzf's format, which Redis uses for strings in DUMP payloads): a control
 * byte below 32 starts a literal run of control + 1 bytes; otherwise its top 3 bits are a match
 * length - 2 (7 means one more length byte follows) and the low 5 bits with the next byte a
 * distance - 1 back into the output.
 */
final class Lzf {
    private Lzf() {}

    /** {@code length} bytes from the {@code clen} compressed bytes at {@code from}, or null if they are not valid LZF of that length. */
    static byte[] decompress(byte[] in, int from, int clen, int length) {
        byte[] out = new byte[length];
        int ip = from;
        int end = from + clen;
        int op = 0;
        while (ip < end) {
            int ctrl = in[ip++] & 0xff;
            if (ctrl < 32) {
                int run = ctrl + 1;
                if (op + run > length || ip + run > end) return null;
                System.arraycopy(in, ip, out, op, run);
                ip += run;
                op += run;
            } else {
                int len = ctrl >> 5;
                if (len == 7) {
                    if (ip >= end) return null;
                    len += in[ip++] & 0xff;
                }
                if (ip >= end) return null;
                int back = op - ((ctrl & 0x1f) << 8) - 1 - (in[ip++] & 0xff);
                len += 2;
                if (back < 0 || op + len > length) return null;
                for (int i = 0; i < len; i++) out[op++] = out[back++]; // byte by byte: the source may overlap what is written
            }
        }
        return op == length ? out : null;
    }
}

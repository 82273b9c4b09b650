package dev.cask.resp;

import java.io.ByteArrayOutputStream;

/**
 * Redis's DUMP serialization of a string value, and the only code here that knows it: an RDB
 * string object, then the RDB version (2 bytes, little-endian) and a CRC-64 (Jones, reflected;
 * 8 bytes, little-endian) of everything before it. See {@code docs/COMPATIBILITY.md}.
 *
 * <pre>
 * 00                 type: string
 * c0 nn | c1 nn nn | c2 nn nn nn nn     an integer of 8, 16 or 32 bits (for values that are one)
 * len bytes          otherwise: a length (6, 14, 32 or 64 bits) and the bytes
 * c3 clen len data   (read only) an LZF-compressed string, as Redis writes values over 20 bytes
 * 0a 00              RDB version 10 (Redis 7.0)
 * crc64 x 8
 * </pre>
 *
 * Cask writes no LZF: a value over 20 bytes that LZF would shrink dumps longer than Redis's, and
 * either server restores the other's payloads.
 */
final class DumpPayload {
    /** The RDB version this writes (Redis 7.0's), and the newest it accepts. */
    static final int RDB_VERSION = 10;
    private static final int TYPE_STRING = 0;
    private static final long POLY_REFLECTED = 0x95ac9329ac4bc9b5L;
    private static final long[] TABLE = new long[256];

    static {
        for (int n = 0; n < 256; n++) {
            long crc = n;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >>> 1) ^ POLY_REFLECTED : crc >>> 1;
            TABLE[n] = crc;
        }
    }

    /** A payload RESTORE cannot take: its text is the error Redis answers. */
    static final class BadPayloadException extends Exception {
        private static final long serialVersionUID = 1L;

        BadPayloadException(String message) {
            super(message, null, false, false);
        }
    }

    private DumpPayload() {}

    static long crc64(byte[] b, int from, int to) {
        long crc = 0;
        for (int i = from; i < to; i++) crc = TABLE[(int) ((crc ^ b[i]) & 0xff)] ^ (crc >>> 8);
        return crc;
    }

    static byte[] encode(byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 16);
        out.write(TYPE_STRING);
        long n = value.length <= 11 ? Integers.parse(value) : Integers.INVALID;
        if (n != Integers.INVALID && n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE) {
            if (n >= Byte.MIN_VALUE && n <= Byte.MAX_VALUE) {
                out.write(0xc0);
                out.write((int) n);
            } else if (n >= Short.MIN_VALUE && n <= Short.MAX_VALUE) {
                out.write(0xc1);
                littleEndian(out, n, 2);
            } else {
                out.write(0xc2);
                littleEndian(out, n, 4);
            }
        } else {
            writeLength(out, value.length);
            out.write(value, 0, value.length);
        }
        out.write(RDB_VERSION);
        out.write(0);
        byte[] body = out.toByteArray();
        littleEndian(out, crc64(body, 0, body.length), 8);
        return out.toByteArray();
    }

    static byte[] decode(byte[] payload) throws BadPayloadException {
        if (payload.length < 10) throw new BadPayloadException("ERR DUMP payload version or checksum are wrong");
        int footer = payload.length - 10;
        int version = (payload[footer] & 0xff) | (payload[footer + 1] & 0xff) << 8;
        long stored = 0;
        for (int i = 7; i >= 0; i--) stored = stored << 8 | (payload[footer + 2 + i] & 0xff);
        if (version > RDB_VERSION || stored != crc64(payload, 0, payload.length - 8)) {
            throw new BadPayloadException("ERR DUMP payload version or checksum are wrong");
        }
        if (payload[0] != TYPE_STRING) throw new BadPayloadException("ERR Bad data format");
        int[] at = {1};
        byte[] value = readString(payload, at, footer);
        if (at[0] != footer) throw new BadPayloadException("ERR Bad data format");
        return value;
    }

    private static byte[] readString(byte[] b, int[] at, int end) throws BadPayloadException {
        if (at[0] >= end) throw new BadPayloadException("ERR Bad data format");
        int first = b[at[0]] & 0xff;
        if ((first >> 6) == 3) { // an encoded value
            at[0]++;
            return switch (first & 0x3f) {
                case 0 -> ascii(signed(b, at, end, 1));
                case 1 -> ascii(signed(b, at, end, 2));
                case 2 -> ascii(signed(b, at, end, 4));
                case 3 -> {
                    long clen = readLength(b, at, end);
                    long len = readLength(b, at, end);
                    if (clen > end - at[0] || len > Integer.MAX_VALUE - 8) throw new BadPayloadException("ERR Bad data format");
                    byte[] out = Lzf.decompress(b, at[0], (int) clen, (int) len);
                    if (out == null) throw new BadPayloadException("ERR Bad data format");
                    at[0] += (int) clen;
                    yield out;
                }
                default -> throw new BadPayloadException("ERR Bad data format");
            };
        }
        long len = readLength(b, at, end);
        if (len > end - at[0]) throw new BadPayloadException("ERR Bad data format");
        byte[] out = java.util.Arrays.copyOfRange(b, at[0], at[0] + (int) len);
        at[0] += (int) len;
        return out;
    }

    private static long signed(byte[] b, int[] at, int end, int bytes) throws BadPayloadException {
        if (end - at[0] < bytes) throw new BadPayloadException("ERR Bad data format");
        long v = 0;
        for (int i = bytes - 1; i >= 0; i--) v = v << 8 | (b[at[0] + i] & 0xff);
        at[0] += bytes;
        int shift = 64 - 8 * bytes;
        return (v << shift) >> shift;
    }

    private static byte[] ascii(long n) {
        return Long.toString(n).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static long readLength(byte[] b, int[] at, int end) throws BadPayloadException {
        if (at[0] >= end) throw new BadPayloadException("ERR Bad data format");
        int first = b[at[0]++] & 0xff;
        switch (first >> 6) {
            case 0 -> {
                return first & 0x3f;
            }
            case 1 -> {
                if (at[0] >= end) throw new BadPayloadException("ERR Bad data format");
                return (long) (first & 0x3f) << 8 | (b[at[0]++] & 0xff);
            }
            default -> {
                int bytes = first == 0x80 ? 4 : first == 0x81 ? 8 : -1;
                if (bytes < 0 || end - at[0] < bytes) throw new BadPayloadException("ERR Bad data format");
                long v = 0;
                for (int i = 0; i < bytes; i++) v = v << 8 | (b[at[0]++] & 0xff); // big-endian, unlike the rest
                if (v < 0) throw new BadPayloadException("ERR Bad data format");
                return v;
            }
        }
    }

    private static void writeLength(ByteArrayOutputStream out, long len) {
        if (len < 64) {
            out.write((int) len);
        } else if (len < 16384) {
            out.write(0x40 | (int) (len >> 8));
            out.write((int) len & 0xff);
        } else if (len <= 0xffffffffL) {
            out.write(0x80);
            for (int i = 3; i >= 0; i--) out.write((int) (len >> (8 * i)) & 0xff);
        } else {
            out.write(0x81);
            for (int i = 7; i >= 0; i--) out.write((int) (len >> (8 * i)) & 0xff);
        }
    }

    private static void littleEndian(ByteArrayOutputStream out, long v, int bytes) {
        for (int i = 0; i < bytes; i++) out.write((int) (v >>> (8 * i)) & 0xff);
    }
}

package dev.cask.resp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encodes replies (RESP2, or RESP3 after {@code HELLO 3}) into one growing buffer, so that a
 * pipeline of many requests read in one turn is answered with one write.
 */
final class Reply {
    private static final byte[] CRLF = {'\r', '\n'};
    private byte[] buf = new byte[256];
    private int length;
    boolean resp3;
    /** Told of every error reply (INFO's errorstats); null: none. */
    CommandStats errors;
    /**
     * The most bytes this buffer may hold: a client's output limit less what it already has queued,
     * set before each request. Checked before a reply is copied in, so a reply larger than the
     * limit (or than memory: 7,000 pipelined GETs of a 1 MiB value) is never built.
     */
    private long limit = Integer.MAX_VALUE - 16;

    /** Thrown when a reply would pass {@link #limit}: the client is cut off, the server goes on. */
    static final class LimitExceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LimitExceeded(String message) {
            super(message, null, false, false);
        }
    }

    void limit(long bytes) {
        this.limit = Math.max(0, Math.min(bytes, Integer.MAX_VALUE - 16));
    }

    void simple(String s) {
        put('+');
        ascii(s);
        crlf();
    }

    void ok() {
        simple("OK");
    }

    /** An error line: {@code text} must start with its code (ERR, WRONGPASS, NOAUTH, ...) and is kept on one line. */
    void error(String text) {
        if (errors != null) errors.error(text);
        put('-');
        ascii(text.replace('\r', ' ').replace('\n', ' '));
        crlf();
    }

    void integer(long n) {
        put(':');
        decimal(n);
        crlf();
    }

    void bulk(byte[] b) {
        if (b == null) {
            nil();
            return;
        }
        bulk(b, 0, b.length);
    }

    /** {@code n} bytes of {@code b} at {@code off} as one bulk string, written in one pass after one check of room. */
    void bulk(byte[] b, int off, int n) {
        int digits = digits(n);
        ensure(1 + digits + 2 + n + 2); // the whole reply or nothing: no header is left without its body
        byte[] out = buf;
        int at = length;
        out[at] = '$';
        at += 1 + digits;
        for (int i = at - 1, v = n; i > length; i--, v /= 10) out[i] = (byte) ('0' + v % 10);
        out[at++] = '\r';
        out[at++] = '\n';
        System.arraycopy(b, off, out, at, n);
        at += n;
        out[at++] = '\r';
        out[at++] = '\n';
        length = at;
    }

    /** Writes the values of a batched read as bulk strings in order, nil for a missing one. */
    final dev.cask.core.ValueSink bulks = new dev.cask.core.ValueSink() {
        @Override
        public void value(int i, byte[] from, int offset, int n) {
            bulk(from, offset, n);
        }

        @Override
        public void missing(int i) {
            nil();
        }
    };

    /** A sorted-set score as Redis 7 prints it ({@code text}): a RESP3 double ({@code ,1.5}), or in RESP2 a bulk string; null is nil. */
    void score(byte[] text) {
        if (text == null || !resp3) {
            bulk(text);
            return;
        }
        ensure(1 + text.length + 2);
        put(',');
        put(text, 0, text.length);
        crlf();
    }

    void bulk(String s) {
        bulk(s.getBytes(StandardCharsets.UTF_8));
    }

    void nil() {
        if (resp3) ascii("_\r\n");
        else ascii("$-1\r\n");
    }

    void nilArray() {
        if (resp3) ascii("_\r\n");
        else ascii("*-1\r\n");
    }

    void array(long n) {
        put('*');
        decimal(n);
        crlf();
    }

    /** A map of {@code n} pairs: RESP3's {@code %}, or a flat array of 2n in RESP2. */
    void map(int n) {
        if (resp3) {
            put('%');
            decimal(n);
            crlf();
        } else {
            array(2L * n);
        }
    }

    /** A set of {@code n} elements: RESP3's {@code ~}, or an array in RESP2. */
    void setHeader(int n) {
        put(resp3 ? '~' : '*');
        decimal(n);
        crlf();
    }

    boolean isEmpty() {
        return length == 0;
    }

    int length() {
        return length;
    }

    /** The encoded bytes since {@code from}, as a buffer to send (valid until the next write here). */
    ByteBuffer slice(int from) {
        return ByteBuffer.wrap(buf, from, length - from);
    }

    /** Drops what was encoded after {@code length} bytes. */
    void truncate(int length) {
        this.length = Math.min(this.length, length);
    }

    void clear() {
        length = 0;
        limit = Integer.MAX_VALUE - 16;
        if (buf.length > 1 << 20) buf = new byte[256]; // give back what one huge reply took
    }

    private void crlf() {
        put(CRLF, 0, 2);
    }

    private void ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) buf[length++] = (byte) s.charAt(i);
    }

    /** {@code n} in decimal, written straight into the buffer: a reply of many elements makes no string per header. */
    private void decimal(long n) {
        if (n < 0) {
            if (n == Long.MIN_VALUE) {
                ascii(Long.toString(n));
                return;
            }
            put('-');
            n = -n;
        }
        int digits = digits(n);
        ensure(digits);
        for (int i = length + digits - 1; i >= length; i--, n /= 10) buf[i] = (byte) ('0' + n % 10);
        length += digits;
    }

    /** How many decimal digits {@code n} (not negative) has. */
    private static int digits(long n) {
        int digits = 1;
        for (long v = n; v >= 10; v /= 10) digits++;
        return digits;
    }

    private void put(char c) {
        ensure(1);
        buf[length++] = (byte) c;
    }

    private void put(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, length, n);
        length += n;
    }

    private void ensure(int more) {
        if ((long) length + more > limit) {
            throw new LimitExceeded("a reply of " + ((long) length + more) + " bytes would pass the client's output buffer limit");
        }
        if (length + more > buf.length) buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 8, Math.max((long) buf.length * 2, (long) length + more)));
    }
}

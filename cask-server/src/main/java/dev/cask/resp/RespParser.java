package dev.cask.resp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a connection's bytes into requests, however they are split: a request may arrive one
 * byte at a time or many at once. It consumes every byte it is given, keeping the unfinished
 * request in its own state, so a 500 MB argument is copied once into its own array rather than
 * re-joined on every read. Memory grows with the bytes that really arrived, never with a declared
 * length, and never past {@link RespLimits#maxQueryBuffer}.
 *
 * <p>Accepts RESP arrays of bulk strings ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}) and inline
 * commands ({@code GET k\n}, with Redis's quoting), as redis-server does. Error texts are Redis's.
 */
public final class RespParser {
    /** Receives each complete request. */
    public interface Sink {
        /** @return false to stop parsing (the connection is closing); the rest of the input is dropped */
        boolean onRequest(List<byte[]> args);
    }

    private enum State { START, ARRAY_HEADER, BULK_HEADER, BULK_BODY, BULK_END, INLINE }

    private final RespLimits limits;
    private State state = State.START;
    private final LineBuffer line = new LineBuffer();
    private List<byte[]> args;
    private int argsExpected;
    private byte[] bulk;
    private int bulkLength;
    private int bulkFilled;
    private int bulkEndSkipped;
    private long buffered;

    public RespParser(RespLimits limits) {
        this.limits = limits;
    }

    /** Bytes held for the request not yet complete (the query buffer). */
    public long buffered() {
        return buffered + line.length;
    }

    /** Parses all of {@code in}, calling {@code sink} for each complete request. */
    public void parse(ByteBuffer in, Sink sink) throws ProtocolException {
        while (in.hasRemaining()) {
            switch (state) {
                case START -> {
                    byte first = in.get(in.position());
                    if (first == '*') {
                        in.get();
                        state = State.ARRAY_HEADER;
                    } else {
                        state = State.INLINE;
                    }
                }
                case ARRAY_HEADER -> {
                    if (!line.fill(in, "too big mbulk count string")) return;
                    long n = line.parseLong();
                    line.reset();
                    if (n == Long.MIN_VALUE || n > limits.maxArrayLength()) throw new ProtocolException("invalid multibulk length");
                    if (n <= 0) { // an empty or null array is no request: Redis ignores it
                        state = State.START;
                        continue;
                    }
                    argsExpected = (int) n;
                    args = new ArrayList<>(Math.min(argsExpected, 1024));
                    buffered = 0;
                    state = State.BULK_HEADER;
                }
                case BULK_HEADER -> {
                    if (line.length == 0) {
                        byte b = in.get(in.position());
                        if (b != '$') throw new ProtocolException("expected '$', got '" + printable(b) + "'");
                    }
                    if (!line.fill(in, "too big bulk count string")) return;
                    long n = line.parseLong(1);
                    line.reset();
                    if (n < 0 || n > limits.maxBulkLength()) throw new ProtocolException("invalid bulk length");
                    bulkLength = (int) n;
                    bulkFilled = 0;
                    bulk = new byte[Math.min(bulkLength, 16 * 1024)]; // grown as bytes arrive: a declared length costs nothing
                    state = State.BULK_BODY;
                }
                case BULK_BODY -> {
                    int take = Math.min(in.remaining(), bulkLength - bulkFilled);
                    if (bulkFilled + take > bulk.length) {
                        int grown = (int) Math.min(bulkLength, Math.max((long) bulk.length * 2, bulkFilled + take));
                        checkQueryBuffer(grown - bulk.length);
                        bulk = Arrays.copyOf(bulk, grown);
                    }
                    in.get(bulk, bulkFilled, take);
                    bulkFilled += take;
                    if (bulkFilled == bulkLength) {
                        bulkEndSkipped = 0;
                        state = State.BULK_END;
                    }
                }
                case BULK_END -> {
                    in.get(); // Redis skips the CRLF after a bulk without looking at it
                    if (++bulkEndSkipped < 2) continue;
                    checkQueryBuffer(bulk.length);
                    args.add(bulk);
                    bulk = null;
                    if (args.size() < argsExpected) {
                        state = State.BULK_HEADER;
                        continue;
                    }
                    if (!complete(args, sink)) return;
                }
                case INLINE -> {
                    if (!line.fill(in, "too big inline request")) return;
                    List<byte[]> inline = InlineSplitter.split(line.bytes, line.length - 1);
                    line.reset();
                    if (inline.isEmpty()) {
                        state = State.START;
                        continue;
                    }
                    if (!complete(inline, sink)) return;
                }
            }
        }
    }

    private boolean complete(List<byte[]> request, RespParser.Sink sink) {
        state = State.START;
        args = null;
        buffered = 0;
        return sink.onRequest(request);
    }

    private void checkQueryBuffer(long more) throws ProtocolException {
        buffered += more;
        if (buffered > limits.maxQueryBuffer()) {
            throw new ProtocolException("query buffer of the unfinished request passed the limit of " + limits.maxQueryBuffer() + " bytes");
        }
    }

    private static String printable(byte b) {
        return b >= 32 && b < 127 ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }

    /** One protocol line, gathered across reads up to its {@code \n}. */
    private static final class LineBuffer {
        byte[] bytes = new byte[64];
        int length;

        /** Takes bytes up to and including {@code \n}; true once the line is whole. */
        boolean fill(ByteBuffer in, String tooLong) throws ProtocolException {
            while (in.hasRemaining()) {
                byte b = in.get();
                if (length == bytes.length) {
                    if (length >= RespLimits.MAX_LINE) throw new ProtocolException(tooLong);
                    bytes = Arrays.copyOf(bytes, Math.min(length * 2, RespLimits.MAX_LINE + 1));
                }
                bytes[length++] = b;
                if (b == '\n') return true;
            }
            return false;
        }

        long parseLong() {
            return parseLong(0);
        }

        /** The decimal integer from {@code from} to the line's CR LF, or Long.MIN_VALUE if it is not one. */
        long parseLong(int from) {
            int end = length - 1;
            if (end > from && bytes[end - 1] == '\r') end--;
            return Integers.parse(bytes, from, end);
        }

        void reset() {
            length = 0;
            if (bytes.length > 4096) bytes = new byte[64];
        }
    }
}

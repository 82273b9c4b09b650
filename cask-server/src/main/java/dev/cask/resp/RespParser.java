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

    /** Redis's limits for a client that has not authenticated (CVE-2021-32675): at most this many arguments ... */
    static final int UNAUTHENTICATED_MAX_ARGS = 10;
    /** ... and at most this many bytes per argument. */
    static final int UNAUTHENTICATED_MAX_BULK = 16 * 1024;
    /** What one argument costs beyond its bytes (the array header and the list slot): so empty bulks count too. */
    static final int ARGUMENT_OVERHEAD = 32;

    private RespLimits limits;
    private final QueryBudget budget;
    private boolean authenticated = true;
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
        this(limits, QueryBudget.unbounded());
    }

    /** A parser whose unfinished requests also count against {@code budget}, shared by every client of a server. */
    public RespParser(RespLimits limits, QueryBudget budget) {
        this.limits = limits;
        this.budget = budget;
    }

    /** New limits (CONFIG SET), from the next request on. */
    void limits(RespLimits newLimits) {
        this.limits = newLimits;
    }

    /** Until this is set, requests are held to Redis's limits for unauthenticated clients. */
    void authenticated(boolean yes) {
        this.authenticated = yes;
    }

    /** Bytes held for the request not yet complete (the query buffer), as counted against the limits. */
    public long buffered() {
        return buffered;
    }

    /** Gives back what this parser holds against the shared budget (the connection is gone). */
    void release() {
        budget.release(buffered);
        buffered = 0;
        args = null;
        bulk = null;
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
                    if (!authenticated && n > UNAUTHENTICATED_MAX_ARGS) throw new ProtocolException("unauthenticated multibulk length");
                    if (n <= 0) { // an empty or null array is no request: Redis ignores it
                        state = State.START;
                        continue;
                    }
                    argsExpected = (int) n;
                    args = new ArrayList<>(Math.min(argsExpected, 1024));
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
                    if (!authenticated && n > UNAUTHENTICATED_MAX_BULK) throw new ProtocolException("unauthenticated bulk length");
                    bulkLength = (int) n;
                    bulkFilled = 0;
                    int first = Math.min(bulkLength, 16 * 1024); // grown as bytes arrive: a declared length costs nothing
                    checkQueryBuffer(first + ARGUMENT_OVERHEAD); // counted once, as allocated: every element, empty ones too
                    bulk = new byte[first];
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
                        budget.release(buffered);
                        buffered = 0;
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
        budget.release(buffered);
        buffered = 0;
        return sink.onRequest(request);
    }

    private void checkQueryBuffer(long more) throws ProtocolException {
        buffered += more;
        budget.take(more);
        if (buffered > limits.maxQueryBuffer()) {
            throw new ProtocolException("query buffer of the unfinished request passed the limit of " + limits.maxQueryBuffer() + " bytes");
        }
    }

    private static String printable(byte b) {
        return b >= 32 && b < 127 ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }

    /** One protocol line, gathered across reads up to its {@code \n}; its growth counts as query buffer. */
    private final class LineBuffer {
        byte[] bytes = new byte[64];
        int length;

        /** Takes bytes up to and including {@code \n}; true once the line is whole. */
        boolean fill(ByteBuffer in, String tooLong) throws ProtocolException {
            while (in.hasRemaining()) {
                byte b = in.get();
                if (length == bytes.length) {
                    if (length >= RespLimits.MAX_LINE) throw new ProtocolException(tooLong);
                    int grown = Math.min(length * 2, RespLimits.MAX_LINE + 1);
                    checkQueryBuffer(grown - bytes.length);
                    bytes = Arrays.copyOf(bytes, grown);
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

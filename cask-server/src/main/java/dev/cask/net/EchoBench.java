package dev.cask.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Iterator;
import java.util.SplittableRandom;

/**
 * {@code cask bench echo}: opens N connections to an echo server, each sending B bytes in chunks of
 * C random bytes and waiting for each chunk to come back before sending the next, and checks every
 * byte that returns against what was sent (regenerated from the connection's seed). One thread,
 * one selector.
 *
 * @see Result
 */
public final class EchoBench {
    /**
     * @param connections connections asked for
     * @param connected connections that were established
     * @param mismatchedBytes bytes that came back different from what was sent
     * @param errors connections that failed (refused, reset, closed early, or unfinished at the deadline)
     */
    public record Result(int connections, int connected, long bytesPerConnection, int chunk, long bytesEchoed, double seconds,
            double throughputMBps, double p50Micros, double p99Micros, long mismatchedBytes, int errors) {}

    private final InetSocketAddress server;
    private final int connections;
    private final long bytes;
    private final int chunk;
    private final long deadlineNanos;

    public EchoBench(InetSocketAddress server, int connections, long bytes, int chunk, long timeoutSeconds) {
        if (connections < 1 || bytes < 1 || chunk < 1) throw new IllegalArgumentException("--connections, --bytes and --chunk must be at least 1");
        this.server = server;
        this.connections = connections;
        this.bytes = bytes;
        this.chunk = chunk;
        this.deadlineNanos = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
    }

    private final class Client {
        final SocketChannel channel;
        final SplittableRandom sendRandom;
        final SplittableRandom checkRandom;
        final ByteBuffer out = ByteBuffer.allocate(chunk);
        final ByteBuffer in = ByteBuffer.allocate(chunk);
        long sent;
        long received;
        long chunkStart;
        boolean done;

        Client(SocketChannel channel, long seed) {
            this.channel = channel;
            this.sendRandom = new SplittableRandom(seed);
            this.checkRandom = new SplittableRandom(seed);
        }

        /** Fills the next chunk; returns false when everything was sent. */
        boolean nextChunk() {
            if (sent >= bytes) return false;
            int n = (int) Math.min(chunk, bytes - sent);
            out.clear().limit(n);
            for (int i = 0; i < n; i++) out.put(i, (byte) sendRandom.nextInt(256));
            chunkStart = System.nanoTime();
            return true;
        }
    }

    public Result run() throws IOException {
        long[] latencies = new long[1 << 16];
        int samples = 0;
        long mismatched = 0;
        int errors = 0;
        int connected = 0;
        int finished = 0;
        long echoed = 0;
        long start = System.nanoTime();
        try (Selector selector = Selector.open()) {
            int opened = 0;
            while (finished < connections && System.nanoTime() < deadlineNanos) {
                // open in waves, so the server's accept backlog is never flooded
                while (opened < connections && opened - finished - errors < connections && opened - connected - errors < 1000) {
                    SocketChannel channel = SocketChannel.open();
                    channel.configureBlocking(false);
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    Client client = new Client(channel, 0x5EED + opened);
                    channel.connect(server);
                    channel.register(selector, SelectionKey.OP_CONNECT, client);
                    opened++;
                }
                selector.select(100);
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    Client c = (Client) key.attachment();
                    try {
                        if (key.isConnectable()) {
                            c.channel.finishConnect();
                            connected++;
                            c.nextChunk();
                            key.interestOps(SelectionKey.OP_WRITE);
                        } else if (key.isWritable()) {
                            c.channel.write(c.out);
                            if (!c.out.hasRemaining()) key.interestOps(SelectionKey.OP_READ);
                        } else if (key.isReadable()) {
                            c.in.clear().limit((int) Math.min(c.in.capacity(), c.sent + c.out.limit() - c.received));
                            int n = c.channel.read(c.in);
                            if (n < 0) throw new IOException("closed by the server after " + c.received + " bytes");
                            c.in.flip();
                            for (int i = 0; i < n; i++) if (c.in.get(i) != (byte) c.checkRandom.nextInt(256)) mismatched++;
                            c.received += n;
                            echoed += n;
                            if (c.received == c.sent + c.out.limit()) { // the whole chunk came back
                                if (samples == latencies.length) latencies = Arrays.copyOf(latencies, samples * 2);
                                latencies[samples++] = System.nanoTime() - c.chunkStart;
                                c.sent += c.out.limit();
                                if (c.nextChunk()) {
                                    key.interestOps(SelectionKey.OP_WRITE);
                                } else {
                                    c.done = true;
                                    finished++;
                                    key.cancel();
                                    c.channel.close();
                                }
                            }
                        }
                    } catch (IOException e) {
                        errors++;
                        finished++;
                        key.cancel();
                        c.channel.close();
                    }
                }
            }
            for (SelectionKey key : selector.keys()) { // unfinished at the deadline
                Client c = (Client) key.attachment();
                if (!c.done) errors++;
                c.channel.close();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] sorted = Arrays.copyOf(latencies, samples);
        Arrays.sort(sorted);
        double p50 = samples == 0 ? 0 : sorted[samples / 2] / 1000.0;
        double p99 = samples == 0 ? 0 : sorted[(int) Math.min(samples - 1, (long) samples * 99 / 100)] / 1000.0;
        return new Result(connections, connected, bytes, chunk, echoed, round(seconds), round(echoed / seconds / 1e6), round(p50), round(p99), mismatched,
                Math.min(errors, connections));
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}

package dev.cask.cli;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Transactions against any server that speaks RESP (Cask or Redis), which redis-benchmark cannot
 * drive: it sends one command per request. Each client sends MULTI, SET, INCR, EXEC in one write
 * and reads the four replies, checking each; the count of whole transactions per second is
 * printed as redis-benchmark's CSV line, so bench/resp-vs-redis.sh tabulates it with the rest.
 */
@Command(name = "tx", mixinStandardHelpOptions = true,
        description = "MULTI / SET / INCR / EXEC from many clients against a RESP server; prints transactions per second.")
final class BenchTxCommand implements Callable<Integer> {
    @Option(names = "--port", paramLabel = "PORT", required = true, description = "The server's port on 127.0.0.1.")
    int port;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "50", description = "Connections (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "5", description = "Length of the run (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--keys", paramLabel = "N", defaultValue = "100000", description = "Random keys (default ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--csv", description = "Print redis-benchmark's CSV form: a header, then \"test\",\"rps\".")
    boolean csv;

    @Override
    public Integer call() throws Exception {
        if (clients < 1 || seconds <= 0 || keys < 1) throw new IllegalArgumentException("--clients, --seconds and --keys must be positive");
        AtomicLong done = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < clients; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try (Socket socket = new Socket("127.0.0.1", port)) {
                    socket.setTcpNoDelay(true);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 14);
                    while (System.nanoTime() < end) {
                        int k = ThreadLocalRandom.current().nextInt(keys);
                        out.write(request("tx:" + k, "c:" + k));
                        if (expect(in, "+OK") && expect(in, "+QUEUED") && expect(in, "+QUEUED") && exec(in)) done.incrementAndGet();
                        else failures.incrementAndGet();
                    }
                } catch (IOException e) {
                    failures.incrementAndGet();
                }
            }));
        }
        for (Thread t : threads) t.join();
        double rps = done.get() / BenchSupport.seconds(start);
        if (failures.get() > 0) System.err.println("cask bench tx: " + failures.get() + " transaction(s) did not answer as expected");
        if (csv) {
            System.out.println("\"test\",\"rps\"");
            System.out.printf("\"MULTI SET INCR EXEC\",\"%.2f\"%n", rps);
        } else {
            System.out.printf("%.0f transactions/s (MULTI SET INCR EXEC), %d clients%n", rps, clients);
        }
        return failures.get() == 0 ? 0 : 1;
    }

    private static byte[] request(String key, String counter) {
        return ("*1\r\n$5\r\nMULTI\r\n" + RespText.command("SET", key, "v") + RespText.command("INCR", counter) + "*1\r\n$4\r\nEXEC\r\n").getBytes(StandardCharsets.UTF_8);
    }



    private static boolean expect(InputStream in, String reply) throws IOException {
        return RespText.line(in).equals(reply);
    }

    /** EXEC's reply: an array of +OK and an integer. */
    private static boolean exec(InputStream in) throws IOException {
        return RespText.line(in).equals("*2") && RespText.line(in).equals("+OK") && RespText.line(in).startsWith(":");
    }
}

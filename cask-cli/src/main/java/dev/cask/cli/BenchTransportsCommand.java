package dev.cask.cli;

import dev.cask.net.EchoBench;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "transports", mixinStandardHelpOptions = true,
        description = {"Every transport side by side in one run, each server in its own process so its CPU can be read from /proc:",
                "cask bench echo; redis-benchmark -c 50 and -c 50 -P 16 against cask serve (requests/s, p99, CPU seconds per million"
                        + " requests, user and sys); and resident memory and CPU over a window with many idle connections."})
final class BenchTransportsCommand implements Callable<Integer> {
    private static final Pattern LISTENING = Pattern.compile("listening on [^ ]+:(\\d+)");
    private static final double TICKS = 100.0; // USER_HZ on Linux

    @Option(names = "--transports", paramLabel = "LIST", split = ",", defaultValue = "nio,epoll,io_uring",
            description = "Transports to compare (default ${DEFAULT-VALUE}).")
    List<String> transports;

    @Option(names = "--requests", paramLabel = "N", defaultValue = "200000", description = "redis-benchmark -n (default ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--echo-connections", paramLabel = "N", defaultValue = "1000", description = "cask bench echo connections (default ${DEFAULT-VALUE}).")
    int echoConnections;

    @Option(names = "--idle-connections", paramLabel = "N", defaultValue = "10000", description = "Idle connections (default ${DEFAULT-VALUE}).")
    int idleConnections;

    @Option(names = "--idle-seconds", paramLabel = "S", defaultValue = "60", description = "Idle window (default ${DEFAULT-VALUE}).")
    int idleSeconds;

    @Mixin
    ScratchOptions scratch;

    @Override
    public Integer call() throws Exception {
        for (String t : transports) dev.cask.net.Transports.check(t);
        Path dir = BenchSupport.scratch(scratch.base, "transports");
        List<Map<String, Object>> rows = new ArrayList<>();
        try (TerminalProgress progress = TerminalProgress.start("transports")) {
            int step = 0;
            for (String t : transports) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("transport", t);
                row.put("echo", echo(t));
                progress.update(++step, 3L * transports.size());
                row.put("redisBenchmark", resp(t, dir.resolve("db-" + t)));
                progress.update(++step, 3L * transports.size());
                row.put("idle", idle(t));
                progress.update(++step, 3L * transports.size());
                rows.add(row);
            }
        } finally {
            BenchSupport.delete(dir);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("transports", rows);
        if (scratch.json) {
            System.out.println(Json.write(out));
        } else {
            for (Map<String, Object> row : rows) System.out.println(row);
        }
        return 0;
    }

    /** A server child process: {@code cask [prefix] <command> --transport T --port 0 [suffix]}. */
    private record Child(Process process, int port) implements AutoCloseable {
        long pid() {
            return process.pid();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        }
    }

    private static Child start(List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        Matcher m = line == null ? null : LISTENING.matcher(line);
        if (m == null || !m.find()) {
            p.destroyForcibly();
            throw new IllegalStateException("server did not start: " + String.join(" ", args) + " said " + line);
        }
        Thread.ofPlatform().daemon().start(() -> {
            try {
                while (out.readLine() != null) { /* drain */ }
            } catch (IOException ignored) {
                // gone
            }
        });
        return new Child(p, Integer.parseInt(m.group(1)));
    }

    /** utime and stime of a process, in seconds. */
    private static double[] cpu(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new double[] {Long.parseLong(f[11]) / TICKS, Long.parseLong(f[12]) / TICKS};
    }

    private static long rssBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
        return -1;
    }

    private Map<String, Object> echo(String transport) throws Exception {
        try (Child server = start(List.of("echo", "--transport", transport, "--port", "0"))) {
            new EchoBench(new InetSocketAddress("127.0.0.1", server.port()), 100, 100_000, 1000, 120).run(); // warm-up
            double[] before = cpu(server.pid());
            EchoBench.Result r = new EchoBench(new InetSocketAddress("127.0.0.1", server.port()), echoConnections, 200_000, 1000, 300).run();
            double[] after = cpu(server.pid());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("connections", r.connections());
            m.put("throughputMBps", r.throughputMBps());
            m.put("p99Micros", r.p99Micros());
            m.put("mismatchedBytes", r.mismatchedBytes());
            m.put("errors", r.errors());
            double gb = r.bytesEchoed() / 1e9;
            m.put("serverUserSecondsPerGB", BenchSupport.round((after[0] - before[0]) / gb, 3));
            m.put("serverSysSecondsPerGB", BenchSupport.round((after[1] - before[1]) / gb, 3));
            return m;
        }
    }

    private Map<String, Object> resp(String transport, Path db) throws Exception {
        Map<String, Object> lines = new LinkedHashMap<>();
        try (Child server = start(List.of("--dir", db.toString(), "serve", "--transport", transport, "--port", "0"))) {
            redisBenchmark(server.port(), "-c", "50", "-P", "16"); // warm-up, not counted
            for (String[] line : new String[][] {{"-c", "50"}, {"-c", "50", "-P", "16"}}) {
                double[] before = cpu(server.pid());
                Map<String, double[]> result = redisBenchmark(server.port(), line);
                double[] after = cpu(server.pid());
                Map<String, Object> m = new LinkedHashMap<>();
                for (var e : result.entrySet()) {
                    m.put(e.getKey().toLowerCase(Locale.ROOT) + "Rps", e.getValue()[0]);
                    m.put(e.getKey().toLowerCase(Locale.ROOT) + "P99Ms", e.getValue()[1]);
                }
                double millions = 2.0 * requests / 1e6;
                m.put("serverUserSecondsPerMillion", BenchSupport.round((after[0] - before[0]) / millions, 3));
                m.put("serverSysSecondsPerMillion", BenchSupport.round((after[1] - before[1]) / millions, 3));
                m.put("serverCpuSecondsPerMillion", BenchSupport.round((after[0] - before[0] + after[1] - before[1]) / millions, 3));
                lines.put(String.join(" ", line), m);
            }
        }
        return lines;
    }

    /** Runs redis-benchmark -t set,get; returns per test {rps, p99 ms}. */
    private Map<String, double[]> redisBenchmark(int port, String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of("redis-benchmark", "-p", Integer.toString(port), "-t", "set,get",
                "-n", Integer.toString(requests), "-r", "100000", "--csv"));
        command.addAll(List.of(extra));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("redis-benchmark failed (is redis-tools installed?): " + out);
        }
        Map<String, double[]> result = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.replace("\"", "").split(",");
            if (f.length >= 7 && !f[0].equals("test")) result.put(f[0], new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[6])});
        }
        return result;
    }

    private Map<String, Object> idle(String transport) throws Exception {
        try (Child server = start(List.of("echo", "--transport", transport, "--port", "0"))) {
            long rssBefore = rssBytes(server.pid());
            List<SocketChannel> open = new ArrayList<>();
            try {
                ByteBuffer one = ByteBuffer.allocate(1);
                for (int i = 0; i < idleConnections; i++) {
                    SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()));
                    open.add(c);
                }
                for (SocketChannel c : open) { // one byte each way: every connection is accepted and has been read from once
                    c.write(one.clear().put((byte) 'x').flip());
                }
                for (SocketChannel c : open) c.read(one.clear());
                double[] before = cpu(server.pid());
                long rssLoaded = rssBytes(server.pid());
                Thread.sleep(idleSeconds * 1000L);
                double[] after = cpu(server.pid());
                long rssAfter = rssBytes(server.pid());
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("connections", open.size());
                m.put("seconds", idleSeconds);
                m.put("rssBeforeBytes", rssBefore);
                m.put("rssIdleBytes", rssAfter);
                m.put("rssPerConnectionBytes", (rssLoaded - rssBefore) / Math.max(1, open.size()));
                m.put("cpuSeconds", BenchSupport.round(after[0] - before[0] + after[1] - before[1], 3));
                m.put("receiveBufferBytesPerConnection", receiveBufferPerConnection(transport, open.size()));
                return m;
            } finally {
                for (SocketChannel c : open) c.close();
            }
        }
    }

    /** Receive-buffer memory the transport itself holds per connection when all are idle (its design, see docs/TRANSPORTS.md). */
    private static long receiveBufferPerConnection(String transport, int connections) {
        return switch (transport) {
            case "io_uring" -> (long) dev.cask.net.linux.IoUringTransport.POOL_BYTES / Math.max(1, connections); // one shared pool
            default -> 0; // nio and epoll read into one shared 64 KiB buffer per loop and keep only unparsed leftovers
        };
    }
}

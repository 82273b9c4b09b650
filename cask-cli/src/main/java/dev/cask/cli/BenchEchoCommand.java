package dev.cask.cli;

import dev.cask.net.EchoBench;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "echo", mixinStandardHelpOptions = true,
        description = "Open N connections to an echo server, send random chunks, check every byte that comes back.")
final class BenchEchoCommand implements Callable<Integer> {
    @Option(names = "--port", paramLabel = "P", defaultValue = "7379", description = "Server port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", paramLabel = "H", defaultValue = "127.0.0.1", description = "Server address (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "1000", description = "Concurrent connections (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--bytes", paramLabel = "B", defaultValue = "65536", description = "Bytes each connection sends (default ${DEFAULT-VALUE}).")
    long bytes;

    @Option(names = "--chunk", paramLabel = "C", defaultValue = "1000", description = "Bytes per send (default ${DEFAULT-VALUE}).")
    int chunk;

    @Option(names = "--timeout", paramLabel = "S", defaultValue = "300", description = "Give up after this many seconds (default ${DEFAULT-VALUE}).")
    long timeout;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        EchoBench.Result r = new EchoBench(new InetSocketAddress(host, port), connections, bytes, chunk, timeout).run();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("connections", r.connections());
        out.put("connected", r.connected());
        out.put("bytesPerConnection", r.bytesPerConnection());
        out.put("chunk", r.chunk());
        out.put("bytesEchoed", r.bytesEchoed());
        out.put("seconds", r.seconds());
        out.put("throughputMBps", r.throughputMBps());
        out.put("p50Micros", r.p50Micros());
        out.put("p99Micros", r.p99Micros());
        out.put("mismatchedBytes", r.mismatchedBytes());
        out.put("errors", r.errors());
        if (json) System.out.println(Json.write(out));
        else out.forEach((k, v) -> System.out.printf("%-20s %s%n", k, v));
        return r.mismatchedBytes() == 0 && r.errors() == 0 ? 0 : Main.MISSING;
    }
}

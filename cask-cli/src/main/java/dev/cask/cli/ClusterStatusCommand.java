package dev.cask.cli;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Each node's health and key count, and whether the proxy answers. Exit 0 when all are up, 1 when any is not."})
final class ClusterStatusCommand implements Callable<Integer> {
    @Option(names = "--dir", paramLabel = "BASE", defaultValue = "cask-cluster", description = "The cluster's directory (default ${DEFAULT-VALUE}).")
    Path base;

    @Option(names = "--json", description = "One JSON object: the proxy and each node.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ClusterLayout layout = ClusterLayout.load(base);
        boolean proxyUp = ClusterCommand.ask(layout.proxyPort, "PING").map("+PONG"::equals).orElse(false);
        boolean allUp = proxyUp;
        StringBuilder out = new StringBuilder();
        if (json) {
            out.append("{\"proxy\":{\"port\":").append(layout.proxyPort).append(",\"pid\":").append(layout.proxyPid).append(",\"up\":").append(proxyUp)
                    .append("},\"nodes\":[");
        } else {
            out.append(String.format("%-8s %-17s %8s %6s %12s%n", "node", "address", "pid", "health", "keys"));
            out.append(String.format("%-8s %-17s %8d %6s %12s%n", "proxy", "127.0.0.1:" + layout.proxyPort, layout.proxyPid, proxyUp ? "up" : "DOWN", "-"));
        }
        for (int i = 0; i < layout.nodes(); i++) {
            int port = layout.nodePorts.get(i);
            boolean up = ClusterCommand.ask(port, "PING").map("+PONG"::equals).orElse(false);
            Optional<Long> keys = up ? ClusterCommand.ask(port, "DBSIZE").filter(s -> s.startsWith(":")).map(s -> Long.parseLong(s.substring(1))) : Optional.empty();
            allUp &= up;
            if (json) {
                if (i > 0) out.append(',');
                out.append("{\"name\":\"node-").append(i).append("\",\"port\":").append(port).append(",\"pid\":").append(layout.nodePids[i])
                        .append(",\"up\":").append(up).append(",\"keys\":").append(keys.map(String::valueOf).orElse("null")).append('}');
            } else {
                out.append(String.format("%-8s %-17s %8d %6s %12s%n", "node-" + i, "127.0.0.1:" + port, layout.nodePids[i], up ? "up" : "DOWN",
                        keys.map(String::valueOf).orElse("-")));
            }
        }
        if (json) out.append("]}\n");
        System.out.print(out);
        return allUp ? 0 : Main.MISSING;
    }
}

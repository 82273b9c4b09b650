package dev.cask.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Start N cask serve nodes (each with its own directory under BASE and its own loopback port) and nutcracker"
                + " in front of them, print where to connect, and supervise: a node that dies is restarted from its own directory.",
                "Ctrl-C, SIGTERM or cask cluster down: nutcracker stops first, then every node syncs and stops.",
                "BASE/nutcracker.yml is the generated pool: the same file deploys the layout across machines."})
final class ClusterUpCommand implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger(ClusterUpCommand.class.getName());
    @Option(names = "--nodes", paramLabel = "N", defaultValue = "3", description = "Number of cask serve nodes, 1 .. 64 (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--proxy-port", paramLabel = "P", defaultValue = "22121", description = "The port clients connect to (default ${DEFAULT-VALUE}, twemproxy's).")
    int proxyPort;

    @Option(names = "--first-node-port", paramLabel = "PORT",
            description = "Node i listens on PORT+i (default: the proxy port + 1); nutcracker's stats port is the one after the last node's.")
    Integer firstNodePort;

    @Option(names = "--dir", paramLabel = "BASE", defaultValue = "cask-cluster", description = "Where the nodes' directories and the config go (default ${DEFAULT-VALUE}).")
    Path base;

    @Option(names = "--sync", paramLabel = "POLICY", converter = Main.SyncPolicyConverter.class,
            description = "Every node's sync policy, as cask serve --sync (default none).")
    dev.cask.core.SyncPolicy sync;

    @Option(names = "--restart-delay-ms", paramLabel = "MS", defaultValue = "2000",
            description = "How long after a node died it is restarted (default ${DEFAULT-VALUE}); meanwhile its keys answer errors through the proxy.")
    long restartDelayMillis;

    private final List<Process> nodeProcesses = new ArrayList<>();
    private Process proxy;
    private volatile boolean stopping;
    private boolean stoppedAll;

    @Override
    public Integer call() throws Exception {
        if (nodes < 1 || nodes > 64) throw new IllegalArgumentException("--nodes must be 1 .. 64, got " + nodes);
        int first = firstNodePort == null ? proxyPort + 1 : firstNodePort;
        if (proxyPort < 1 || first < 1 || first + nodes > 65535 || proxyPort > 65535) {
            throw new IllegalArgumentException("ports out of range: proxy " + proxyPort + ", nodes " + first + " .. " + (first + nodes));
        }
        if (proxyPort >= first && proxyPort <= first + nodes) throw new IllegalArgumentException("the proxy port " + proxyPort + " is among the nodes' ports");
        if (restartDelayMillis < 0) throw new IllegalArgumentException("--restart-delay-ms must be >= 0, got " + restartDelayMillis);
        Path nutcracker = ClusterCommand.nutcracker().orElseThrow(() -> new IllegalStateException(
                "nutcracker (twemproxy) is not installed: sudo apt-get install -y nutcracker"));
        Files.createDirectories(base);
        if (Files.exists(base.resolve(ClusterLayout.STATE_FILE))) {
            ClusterLayout old = ClusterLayout.load(base);
            if (ClusterCommand.ours(old.supervisorPid, "cluster").isPresent()) {
                throw new IllegalStateException("a cluster already runs under " + base + " (cask cluster up, pid " + old.supervisorPid
                        + "); stop it with cask cluster down --dir " + base);
            }
        }
        ClusterLayout layout = ClusterLayout.of(base, nodes, proxyPort, first);
        for (int port : allPorts(layout)) ensureFree(port);
        Files.writeString(layout.nutcrackerConfig(), layout.nutcrackerYaml());
        checkConfig(nutcracker, layout);
        layout.supervisorPid = ProcessHandle.current().pid();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> { // SIGTERM, Ctrl-C, cluster down
            stopping = true;
            stopAll(layout);
            stopped.countDown();
        }));
        try {
            for (int i = 0; i < nodes; i++) nodeProcesses.add(startNode(layout, i));
            for (int i = 0; i < nodes; i++) awaitAnswer(layout.nodePorts.get(i), nodeProcesses.get(i), "node-" + i + " (log " + layout.nodeLog(i) + ")");
            proxy = startProxy(nutcracker, layout);
            awaitAnswer(proxyPort, proxy, "nutcracker (log " + base.resolve("nutcracker.log") + ")");
            layout.save();
        } catch (IOException | RuntimeException e) {
            stopping = true;
            stopAll(layout);
            throw e;
        }
        System.out.println("cask cluster up: proxy listening on 127.0.0.1:" + proxyPort + " (" + nodes + " nodes; redis-cli -p " + proxyPort + ")");
        for (int i = 0; i < nodes; i++) {
            System.out.println("cask cluster up: node-" + i + " on 127.0.0.1:" + layout.nodePorts.get(i) + ", directory " + layout.nodeDir(i)
                    + ", pid " + layout.nodePids[i]);
        }
        System.out.println("cask cluster up: pool " + layout.nutcrackerConfig() + "; stop with Ctrl-C, SIGTERM or cask cluster down --dir " + base);
        System.out.flush();
        supervise(nutcracker, layout);
        stopped.await(120, TimeUnit.SECONDS);
        return 0;
    }

    /** The proxy's port first (the one the user named), then the nodes', then the stats port. */
    private static List<Integer> allPorts(ClusterLayout layout) {
        List<Integer> ports = new ArrayList<>();
        ports.add(layout.proxyPort);
        ports.addAll(layout.nodePorts);
        ports.add(layout.statsPort);
        return ports;
    }

    private static void ensureFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " is taken (" + e.getMessage() + "); choose others with --proxy-port and --first-node-port");
        }
    }

    /** nutcracker -t: a config it would refuse fails here, with its own words. */
    private static void checkConfig(Path nutcracker, ClusterLayout layout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(nutcracker.toString(), "-t", "-c", layout.nutcrackerConfig().toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException("nutcracker refused " + layout.nutcrackerConfig() + ": " + out.strip());
    }

    private Process startNode(ClusterLayout layout, int i) throws IOException {
        Files.createDirectories(layout.nodeDir(i));
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--dir", layout.nodeDir(i).toString()));
        if (sync != null) command.addAll(List.of("--sync", sync.toString()));
        command.addAll(List.of("serve", "--port", Integer.toString(layout.nodePorts.get(i))));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(java.lang.ProcessBuilder.Redirect.appendTo(layout.nodeLog(i).toFile())).start();
        layout.nodePids[i] = p.pid();
        return p;
    }

    private Process startProxy(Path nutcracker, ClusterLayout layout) throws IOException {
        Process p = new ProcessBuilder(nutcracker.toString(), "-c", layout.nutcrackerConfig().toString(), "-s", Integer.toString(layout.statsPort),
                "-a", "127.0.0.1", "-o", base.resolve("nutcracker.log").toString()).redirectErrorStream(true)
                .redirectOutput(java.lang.ProcessBuilder.Redirect.appendTo(base.resolve("nutcracker.log").toFile())).start();
        layout.proxyPid = p.pid();
        return p;
    }

    /** Waits until {@code port} answers PING; fails with the process's log if it exits or 60 s pass. */
    private static void awaitAnswer(int port, Process process, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (ClusterCommand.ask(port, "PING").map("+PONG"::equals).orElse(false)) return;
            if (!process.isAlive()) throw new IllegalStateException(what + " exited with status " + process.exitValue() + " before it answered");
            Thread.sleep(50);
        }
        throw new IllegalStateException(what + " did not answer PING on port " + port + " within 60 s");
    }

    /** Restarts a node (or nutcracker) that died, until the cluster is asked to stop. */
    private void supervise(Path nutcracker, ClusterLayout layout) throws InterruptedException, IOException {
        long[] diedAt = new long[nodes];
        while (!stopping) {
            Thread.sleep(100);
            for (int i = 0; i < nodes && !stopping; i++) {
                Process p = nodeProcesses.get(i);
                if (p.isAlive()) continue;
                if (diedAt[i] == 0) {
                    diedAt[i] = System.nanoTime();
                    LOG.log(System.Logger.Level.WARNING, "node-" + i + " (pid " + p.pid() + ") exited with status " + p.exitValue() + "; restarting it in "
                            + restartDelayMillis + " ms from " + layout.nodeDir(i));
                }
                if (System.nanoTime() - diedAt[i] < restartDelayMillis * 1_000_000L) continue;
                diedAt[i] = 0;
                synchronized (this) {
                    if (stopping) return;
                    nodeProcesses.set(i, startNode(layout, i));
                    layout.save();
                }
            }
            if (!stopping && !proxy.isAlive()) {
                LOG.log(System.Logger.Level.WARNING, "nutcracker exited with status " + proxy.exitValue() + "; restarting it");
                synchronized (this) {
                    if (stopping) return;
                    proxy = startProxy(nutcracker, layout);
                    layout.save();
                }
            }
        }
    }

    /** nutcracker first (no new requests), then every node with SIGTERM: each syncs and closes its database. */
    private synchronized void stopAll(ClusterLayout layout) {
        if (stoppedAll) return; // a failed start stops them, then the exit's hook would again
        stoppedAll = true;
        if (proxy != null) {
            proxy.destroy();
            waitFor(proxy, 10);
        }
        for (Process p : nodeProcesses) p.destroy();
        for (int i = 0; i < nodeProcesses.size(); i++) {
            Process p = nodeProcesses.get(i);
            boolean exited = waitFor(p, 60);
            LOG.log(System.Logger.Level.INFO, "node-" + i + (exited ? " stopped (status " + p.exitValue() + ")" : " did not stop within 60 s; killed"));
        }
        try {
            layout.deleteState();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not remove " + layout.base.resolve(ClusterLayout.STATE_FILE) + ": " + e.getMessage());
        }
    }

    private static boolean waitFor(Process p, int seconds) {
        try {
            if (p.waitFor(seconds, TimeUnit.SECONDS)) return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        p.destroyForcibly();
        return false;
    }
}

package dev.cask.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "down", mixinStandardHelpOptions = true,
        description = {"Stop the cluster cask cluster up runs under BASE: its supervisor stops nutcracker, then every node (each syncs).",
                "If the supervisor is gone (killed), nutcracker and the nodes it left are stopped directly."})
final class ClusterDownCommand implements Callable<Integer> {
    @Option(names = "--dir", paramLabel = "BASE", defaultValue = "cask-cluster", description = "The cluster's directory (default ${DEFAULT-VALUE}).")
    Path base;

    @Override
    public Integer call() throws Exception {
        ClusterLayout layout = ClusterLayout.load(base);
        Optional<ProcessHandle> supervisor = ClusterCommand.ours(layout.supervisorPid, "cluster");
        if (supervisor.isPresent()) {
            supervisor.get().destroy(); // SIGTERM: its shutdown hook stops nutcracker and the nodes in order
            if (!await(List.of(supervisor.get()), 120)) throw new IllegalStateException("cask cluster up (pid " + layout.supervisorPid + ") did not stop within 120 s");
            System.out.println("cask cluster down: stopped the cluster under " + base + " (supervisor pid " + layout.supervisorPid + ")");
            return 0;
        }
        List<ProcessHandle> left = new ArrayList<>();
        ClusterCommand.ours(layout.proxyPid, "nutcracker").ifPresent(left::add);
        left.forEach(ProcessHandle::destroy);
        await(left, 10);
        List<ProcessHandle> nodes = new ArrayList<>();
        for (long pid : layout.nodePids) ClusterCommand.ours(pid, Main.class.getName()).ifPresent(nodes::add);
        nodes.forEach(ProcessHandle::destroy); // SIGTERM: each node syncs and closes its database
        if (!await(nodes, 60)) throw new IllegalStateException("some nodes did not stop within 60 s: " + nodes);
        layout.deleteState();
        System.out.println("cask cluster down: the supervisor was gone; stopped " + (left.size() + nodes.size()) + " processes it left under " + base);
        return 0;
    }

    private static boolean await(List<ProcessHandle> processes, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (processes.stream().noneMatch(ProcessHandle::isAlive)) return true;
            Thread.sleep(50);
        }
        return false;
    }
}

package dev.cask.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"N cask serve nodes behind twemproxy (Debian's nutcracker) on this machine: the keyspace spread by consistent"
                + " hashing, clients connected to the proxy as to one server. docs/SCALE-OUT.md says what works through it and what not."},
        subcommands = {ClusterUpCommand.class, ClusterDownCommand.class, ClusterStatusCommand.class})
final class ClusterCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: up, down or status");
    }

    /** The nutcracker binary: on PATH, else where Debian's package puts it (/usr/sbin, often not on a user's PATH). */
    static Optional<Path> nutcracker() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(":", -1)) {
                if (d.isEmpty()) continue;
                Path p = Path.of(d, "nutcracker");
                if (Files.isExecutable(p)) return Optional.of(p);
            }
        }
        Path debian = Path.of("/usr/sbin/nutcracker");
        return Files.isExecutable(debian) ? Optional.of(debian) : Optional.empty();
    }

    /** One request to a Redis-protocol server: its reply's first line, or empty if it did not answer within a second. */
    static Optional<String> ask(int port, String... words) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write(RespText.command(words).getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            return Optional.of(RespText.line(in));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Whether a process is alive and is the one we started (its pid not reused by another program). */
    static Optional<ProcessHandle> ours(long pid, String mark) {
        if (pid <= 0) return Optional.empty();
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(h -> h.info().commandLine().map(c -> c.contains(mark)).orElse(true));
    }
}

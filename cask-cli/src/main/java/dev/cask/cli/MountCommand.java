package dev.cask.cli;

import dev.cask.core.Cask;
import dev.cask.fs.CaskFileSystem;
import dev.cask.fs.MountPoint;
import dev.cask.fs.fuse.FuseMount;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "mount", mixinStandardHelpOptions = true,
        description = {"Mount a POSIX filesystem stored in a Cask database (libfuse3, low-level API).",
                "Unmount with fusermount3 -u MOUNTPOINT, SIGTERM or Ctrl-C."})
final class MountCommand implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger(MountCommand.class.getName());
    static final List<String> DEFAULT_OPTIONS = List.of("allow_other", "default_permissions", "auto_unmount");
    /** The largest read the kernel sends a FUSE server (256 pages, since max_write is 1 MiB). */
    static final int READ_AHEAD_KIB = 1024;

    @ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MOUNTPOINT", description = "An empty directory.")
    Path mountPoint;

    @Option(names = "--dir", paramLabel = "DB", description = "Database directory (default: the global --dir, $CASK_DIR, else ./cask-data).")
    Path dir;

    @Option(names = "--foreground", description = "Stay in the foreground; without it, the filesystem is served by a detached process logging to DB/mount.log.")
    boolean foreground;

    @Option(names = "--writeback-cache", description = {"Let the kernel buffer writes (much faster sequential writes). write(2) then returns before",
            "the data reaches the database, a SIGKILL of this process loses what was not flushed or fsynced,",
            "and mtime/atime follow the kernel's cache. Off by default."})
    boolean writebackCache;

    @Option(names = "-o", paramLabel = "OPTIONS", split = ",",
            description = "Mount options for libfuse, added to the defaults allow_other, default_permissions, auto_unmount.")
    List<String> options = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Path db = (dir != null ? dir : main.directory()).toAbsolutePath();
        Path at = mountPoint.toAbsolutePath().normalize();
        String problem = MountPoint.problem(at);
        if (problem != null) {
            System.err.println("cask: " + problem);
            return CommandLine.ExitCode.USAGE;
        }
        return foreground ? serve(db, at) : detach(db, at);
    }

    private int serve(Path db, Path at) throws InterruptedException {
        List<String> all = new ArrayList<>(DEFAULT_OPTIONS);
        all.add("fsname=cask:" + db);
        all.add("subtype=cask");
        all.addAll(options);
        Cask cask;
        try (TerminalProgress progress = TerminalProgress.start("opening " + db)) {
            cask = Cask.open(db, main.options(), progress);
        }
        for (String line : cask.recoveryReport().messages()) LOG.log(System.Logger.Level.WARNING, line);
        CountDownLatch closed = new CountDownLatch(1);
        FuseMount mount;
        try {
            CaskFileSystem fs = CaskFileSystem.load(cask, (int) uid(), (int) gid(), writebackCache);
            mount = FuseMount.mount(at, all, fs);
        } catch (RuntimeException e) {
            cask.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("cask-unmount").unstarted(() -> {
            mount.exit(); // SIGTERM or Ctrl-C: the loop returns, and the main thread closes the database
            try {
                if (!closed.await(30, TimeUnit.SECONDS)) LOG.log(System.Logger.Level.ERROR, "gave up waiting for the database to close");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        LOG.log(System.Logger.Level.INFO, MountPoint.raiseReadAhead(at, READ_AHEAD_KIB));
        System.out.println("cask mount: ready: " + db + " mounted on " + at + " (pid " + ProcessHandle.current().pid() + ")");
        System.out.flush();
        int rc;
        try {
            rc = mount.loop();
        } finally {
            mount.close();
            cask.close();
            closed.countDown();
        }
        System.out.println("cask mount: unmounted " + at + ", database closed");
        return rc == 0 ? 0 : Main.FAILURE;
    }

    /** Starts this same command with --foreground in a new session, and returns once it is serving or has failed. */
    private int detach(Path db, Path at) throws IOException, InterruptedException {
        Files.createDirectories(db);
        Path logFile = db.resolve("mount.log");
        List<String> command = new ArrayList<>();
        command.add("setsid");
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(spec.commandLine().getParent().getParseResult().originalArgs());
        command.add("--foreground");
        long logStart = Files.exists(logFile) ? Files.size(logFile) : 0;
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            String log = Files.readString(logFile).substring((int) Math.min(logStart, Files.size(logFile)));
            if (log.contains("cask mount: ready:")) {
                System.out.println("cask mount: ready: " + db + " mounted on " + at + " (pid " + child.pid() + ", log " + logFile + ")");
                return 0;
            }
            if (child.waitFor(100, TimeUnit.MILLISECONDS)) {
                System.err.print(log);
                System.err.println("cask: the mount process exited with status " + child.exitValue());
                return child.exitValue() == 0 ? Main.FAILURE : child.exitValue();
            }
        }
        child.destroy();
        System.err.println("cask: no mount after 120 s; see " + logFile);
        return Main.FAILURE;
    }

    private static long uid() {
        return (Long) attribute("unix:uid");
    }

    private static long gid() {
        return (Long) attribute("unix:gid");
    }

    /** The uid and gid this process runs as, read off a file it owns (/proc/self). */
    private static Object attribute(String name) {
        try {
            Object v = Files.getAttribute(Path.of("/proc/self"), name);
            return v instanceof Integer i ? (long) i : v;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + name + " of /proc/self: " + e);
        }
    }
}

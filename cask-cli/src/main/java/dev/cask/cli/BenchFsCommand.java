package dev.cask.cli;

import dev.cask.core.Cask;
import dev.cask.fs.CaskFileSystem;
import dev.cask.fs.MountPoint;
import dev.cask.fs.fuse.FuseMount;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "fs", mixinStandardHelpOptions = true,
        description = {"Sequential write (with fsync) and read, 1 MiB blocks, through a cask mount and on the disk underneath, in the same run;",
                "then create, stat and unlink rates in one directory at two sizes. Reads start cold when run as root (caches dropped)."})
final class BenchFsCommand implements Callable<Integer> {
    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "1073741824", description = "File size (default 1 GiB).")
    long size;

    @Option(names = "--block", paramLabel = "BYTES", defaultValue = "1048576", description = "Block size (default 1 MiB).")
    int block;

    @Option(names = "--files", paramLabel = "N", split = ",", defaultValue = "10000,100000",
            description = "Directory sizes for the metadata rates (default ${DEFAULT-VALUE}).")
    List<Integer> files;

    @Mixin
    ScratchOptions scratch;

    @Override
    public Integer call() throws Exception {
        if (size < block || block < 1) throw new IllegalArgumentException("--size must be at least --block, and --block at least 1");
        Path base = BenchSupport.scratch(scratch.base, "fs");
        Path db = base.resolve("db");
        Path mnt = Files.createDirectories(base.resolve("mnt"));
        Path plain = Files.createDirectories(base.resolve("disk"));
        Map<String, Object> out = new LinkedHashMap<>();
        try (Cask cask = Cask.open(db)) {
            CaskFileSystem fs = CaskFileSystem.load(cask, 0, 0, msg -> System.err.println("cask mount: " + msg));
            FuseMount mount = FuseMount.mount(mnt, List.of("default_permissions", "fsname=cask-bench", "subtype=cask"), fs,
                    msg -> System.err.println("cask mount: " + msg));
            Thread loop = Thread.ofPlatform().name("cask-fuse").start(mount::loop);
            try {
                while (!MountPoint.isMounted(mnt)) Thread.onSpinWait();
                boolean cold = dropCaches();
                out.put("bytes", size);
                out.put("blockBytes", block);
                out.put("coldReads", cold);
                Map<String, Object> m = new LinkedHashMap<>();
                Map<String, Object> d = new LinkedHashMap<>();
                m.put("writeMBps", write(mnt.resolve("seq"), "write through the mount"));
                d.put("writeMBps", write(plain.resolve("seq"), "write on the disk"));
                m.put("readMBps", read(mnt.resolve("seq"), "read through the mount"));
                d.put("readMBps", read(plain.resolve("seq"), "read on the disk"));
                Files.delete(mnt.resolve("seq"));
                Files.delete(plain.resolve("seq"));
                for (int n : files) {
                    m.put("files" + n, metadata(mnt.resolve("dir" + n), n));
                    d.put("files" + n, metadata(plain.resolve("dir" + n), n));
                }
                out.put("mount", m);
                out.put("disk", d);
                out.put("goalWriteMBps", 400);
                out.put("goalReadMBps", 800);
            } finally {
                mount.exit();
                loop.join(30_000);
                mount.close();
            }
        } finally {
            BenchSupport.delete(base);
        }
        if (scratch.json) {
            System.out.println(Json.write(out));
        } else {
            @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) out.get("mount");
            @SuppressWarnings("unchecked") Map<String, Object> d = (Map<String, Object>) out.get("disk");
            System.out.printf("%-28s %12s %12s%n", "", "mount", "disk");
            for (String k : m.keySet()) System.out.printf("%-28s %12s %12s%n", k, m.get(k), d.get(k));
            System.out.println("reads were " + ((Boolean) out.get("coldReads") ? "cold (page cache dropped)" : "warm (not root: page cache not dropped)"));
        }
        return 0;
    }

    private double write(Path file, String label) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(block);
        byte[] random = new byte[block];
        new Random(1).nextBytes(random);
        buf.put(random).flip();
        long start = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
             TerminalProgress progress = TerminalProgress.start(label)) {
            for (long done = 0; done < size; done += block) {
                buf.rewind();
                while (buf.hasRemaining()) ch.write(buf);
                progress.update(done + block, size);
            }
            ch.force(true);
        }
        return mbps(size, start);
    }

    private double read(Path file, String label) throws IOException {
        dropCaches();
        ByteBuffer buf = ByteBuffer.allocateDirect(block);
        long total = 0;
        long start = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ); TerminalProgress progress = TerminalProgress.start(label)) {
            for (int n; (n = ch.read(buf.clear())) > 0; ) {
                total += n;
                progress.update(total, size);
            }
        }
        if (total != size) throw new IllegalStateException("read " + total + " bytes of " + size + " from " + file);
        return mbps(size, start);
    }

    /** Creates, stats and unlinks {@code n} empty files in one directory; operations per second of each. */
    private static Map<String, Object> metadata(Path dir, int n) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> r = new LinkedHashMap<>();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) Files.newByteChannel(dir.resolve("f" + i), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        r.put("createPerSec", Math.round(n / BenchSupport.seconds(start)));
        start = System.nanoTime();
        for (int i = n - 1; i >= 0; i--) Files.readAttributes(dir.resolve("f" + i), "unix:ino");
        r.put("statPerSec", Math.round(n / BenchSupport.seconds(start)));
        start = System.nanoTime();
        try (var list = Files.list(dir)) {
            if (list.count() != n) throw new IllegalStateException("listing of " + dir + " is short");
        }
        r.put("listPerSec", Math.round(n / BenchSupport.seconds(start)));
        start = System.nanoTime();
        for (int i = 0; i < n; i++) Files.delete(dir.resolve("f" + i));
        r.put("unlinkPerSec", Math.round(n / BenchSupport.seconds(start)));
        return r;
    }

    private static double mbps(long bytes, long startNanos) {
        return BenchSupport.round(bytes / 1e6 / BenchSupport.seconds(startNanos), 1);
    }

    /** Drops the page cache (root only), so reads come from the disk; false if it could not. */
    private static boolean dropCaches() {
        try {
            new ProcessBuilder("sync").inheritIO().start().waitFor();
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
            return true;
        } catch (IOException | InterruptedException | SecurityException e) {
            return false;
        }
    }
}

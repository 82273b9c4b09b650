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
import java.util.ArrayList;
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
        Path db = Files.createDirectories(base.resolve("db"));
        Path mnt = Files.createDirectories(base.resolve("mnt"));
        Path plain = Files.createDirectories(base.resolve("disk"));
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            boolean cold = dropCaches();
            out.put("bytes", size);
            out.put("blockBytes", block);
            out.put("coldReads", cold);
            Map<String, Object> m = new LinkedHashMap<>();
            Map<String, Object> w = new LinkedHashMap<>();
            Map<String, Object> d = new LinkedHashMap<>();
            // warm-up: one discarded write and read, as measured below (the first cold read of a JVM is slow)
            sequential(db.resolve("warmup"), mnt, false, new ArrayList<>(), new ArrayList<>(), " (warm-up)");
            // A B A B: this machine is noisy, and a mode measured only second would look better or worse for it.
            // Each read runs in a new mount session: the store maps its segments, and the kernel never drops
            // mapped pages, so a read in the writing session would not start cold.
            List<Double> mw = new ArrayList<>(), mr = new ArrayList<>(), ww = new ArrayList<>(), wr = new ArrayList<>();
            for (int round = 1; round <= 2; round++) {
                sequential(db.resolve("default" + round), mnt, false, mw, mr, "");
                sequential(db.resolve("writeback" + round), mnt, true, ww, wr, " (writeback cache)");
            }
            m.put("writeMBps", mw);
            m.put("readMBps", mr);
            w.put("writeMBps", ww);
            w.put("readMBps", wr);
            try (MountedFs fs = MountedFs.start(db.resolve("metadata"), mnt, false)) {
                for (int n : files) m.put("files" + n, metadata(mnt.resolve("dir" + n), n));
            }
            d.put("writeMBps", write(plain.resolve("seq"), "write on the disk"));
            d.put("readMBps", read(plain.resolve("seq"), "read on the disk"));
            Files.delete(plain.resolve("seq"));
            for (int n : files) d.put("files" + n, metadata(plain.resolve("dir" + n), n));
            out.put("mount", m);
            out.put("mountWritebackCache", w);
            out.put("disk", d);
            out.put("goalWriteMBps", 400);
            out.put("goalReadMBps", 800);
        } finally {
            BenchSupport.delete(base);
        }
        if (scratch.json) {
            System.out.println(Json.write(out));
        } else {
            @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) out.get("mount");
            @SuppressWarnings("unchecked") Map<String, Object> w = (Map<String, Object>) out.get("mountWritebackCache");
            @SuppressWarnings("unchecked") Map<String, Object> d = (Map<String, Object>) out.get("disk");
            System.out.printf("%-14s %14s %20s %14s%n", "", "mount", "mount (writeback)", "disk");
            for (String k : m.keySet()) System.out.printf("%-14s %14s %20s %14s%n", k, m.get(k), w.getOrDefault(k, "-"), d.get(k));
            System.out.println("reads were " + ((Boolean) out.get("coldReads") ? "cold (page cache dropped)" : "warm (not root: page cache not dropped)"));
        }
        return 0;
    }

    /** A mount served by this JVM on its own loop thread, for the duration of one measurement. */
    private record MountedFs(Cask cask, FuseMount mount, Thread loop) implements AutoCloseable {
        static MountedFs start(Path db, Path at, boolean writeback) throws InterruptedException {
            Cask cask = Cask.open(db);
            CaskFileSystem fs = CaskFileSystem.load(cask, 0, 0, writeback, msg -> System.err.println("cask mount: " + msg));
            FuseMount mount = FuseMount.mount(at, List.of("default_permissions", "fsname=cask-bench", "subtype=cask"), fs,
                    msg -> System.err.println("cask mount: " + msg));
            Thread loop = Thread.ofPlatform().name("cask-fuse").start(mount::loop);
            while (!MountPoint.isMounted(at)) Thread.sleep(5);
            MountPoint.raiseReadAhead(at, MountCommand.READ_AHEAD_KIB);
            return new MountedFs(cask, mount, loop);
        }

        @Override
        public void close() throws InterruptedException {
            mount.exit();
            loop.join(30_000);
            if (loop.isAlive()) { // freeing the session under a running loop would be a use after free: leave both as they are
                throw new IllegalStateException("the FUSE loop of " + mount.mountPoint() + " did not stop within 30 s; the mount is left for the process exit");
            }
            mount.close();
            cask.close();
        }
    }

    private void sequential(Path db, Path mnt, boolean writeback, List<Double> writes, List<Double> reads, String label)
            throws IOException, InterruptedException {
        try (MountedFs fs = MountedFs.start(db, mnt, writeback)) {
            writes.add(write(mnt.resolve("seq"), "write through the mount" + label));
        }
        try (MountedFs fs = MountedFs.start(db, mnt, writeback)) {
            reads.add(read(mnt.resolve("seq"), "read through the mount" + label));
            Files.delete(mnt.resolve("seq"));
        }
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
        // past the mount's 1 s entry cache, so each stat is a lookup in the filesystem at both sizes
        try {
            Thread.sleep(1100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
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

package dev.cask.fs;

import dev.cask.core.Cask;
import dev.cask.core.CaskOptions;
import dev.cask.fs.fuse.FuseMount;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real FUSE mount of a Cask database inside the test JVM: the loop runs on its own thread, so
 * the test's own system calls on the mount are served by it. Whatever the filesystem logs is kept:
 * tests assert it is empty, because an EIO is a bug.
 */
final class TestMount implements AutoCloseable {
    final Path db;
    final Path dir;
    final Cask cask;
    final CaskFileSystem fs;
    final List<String> log = new CopyOnWriteArrayList<>();
    private final FuseMount mount;
    private final Thread loop;

    private TestMount(Path db, Path dir, CaskOptions options) {
        this.db = db;
        this.dir = dir;
        this.cask = Cask.open(db, options);
        this.fs = CaskFileSystem.load(cask, 0, 0, log::add);
        this.mount = FuseMount.mount(dir, List.of("allow_other", "default_permissions", "auto_unmount", "fsname=cask-test", "subtype=cask"),
                fs, log::add);
        this.loop = Thread.ofPlatform().name("fuse-loop").start(mount::loop);
    }

    static TestMount start(Path db, Path dir) {
        return start(db, dir, CaskOptions.defaults());
    }

    static TestMount start(Path db, Path dir, CaskOptions options) {
        TestMount m = new TestMount(db, dir, options);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!MountPoint.isMounted(dir)) {
            if (System.nanoTime() > deadline) throw new AssertionError("no mount on " + dir + " after 30 s: " + m.log);
            sleep();
        }
        return m;
    }

    private static void sleep() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the mount");
        }
    }

    @Override
    public void close() throws InterruptedException {
        mount.exit();
        loop.join(30_000);
        if (loop.isAlive()) throw new AssertionError("the FUSE loop did not end after the unmount");
        mount.close();
        cask.close();
    }
}

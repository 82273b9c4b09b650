package dev.cask.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cask.core.Cask;
import dev.cask.fs.fuse.FuseMount;
import dev.cask.fs.fuse.LowLevelFileSystem;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reply the kernel no longer takes (the connection was aborted while the filesystem served the
 * request) must not leak what the request allocated. Failed on the code before the durability
 * issue: {@code fuse_reply_open}'s result was ignored, so the handle of an open whose reply failed
 * was never released (and a lookup whose reply failed was never forgotten).
 */
@Timeout(120)
class AbortedReplyTest {
    @TempDir
    Path tmp;

    @Test
    void anOpenWhoseReplyFailsReleasesItsHandle() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("mnt"));
        List<String> log = new CopyOnWriteArrayList<>();
        CountDownLatch inOpen = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        AtomicLong opened = new AtomicLong(-1);
        AtomicLong released = new AtomicLong(-1);
        try (Cask cask = Cask.open(tmp.resolve("db"))) {
            CaskFileSystem real = CaskFileSystem.load(cask, 0, 0, log::add);
            LowLevelFileSystem watched = (LowLevelFileSystem) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {LowLevelFileSystem.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("open")) {
                            inOpen.countDown();
                            proceed.await(60, TimeUnit.SECONDS); // the connection is aborted meanwhile
                        }
                        Object result;
                        try {
                            result = method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                        if (method.getName().equals("open")) opened.set((Long) result);
                        if (method.getName().equals("release")) released.set((Long) args[1]);
                        return result;
                    });
            FuseMount mount = FuseMount.mount(dir, List.of("default_permissions", "fsname=cask-test", "subtype=cask"), watched, log::add);
            Thread loop = Thread.ofPlatform().name("fuse-loop").start(mount::loop);
            try {
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (!MountPoint.isMounted(dir) && System.nanoTime() < deadline) Thread.sleep(5);
                Files.writeString(dir.resolve("f"), "x");
                Thread opener = Thread.ofPlatform().start(() -> {
                    try (var in = Files.newInputStream(dir.resolve("f"))) {
                        in.read();
                    } catch (java.io.IOException expected) {
                        // the connection was aborted under it
                    }
                });
                assertThat(inOpen.await(30, TimeUnit.SECONDS)).as("the open reached the filesystem").isTrue();
                Thread exiter = Thread.ofPlatform().start(mount::exit); // busy: the opener is inside, so the connection is aborted
                exiter.join(30_000);
                proceed.countDown();
                loop.join(30_000);
                opener.join(30_000);
                assertThat(loop.isAlive()).isFalse();
            } finally {
                proceed.countDown();
                mount.exit();
                loop.join(30_000);
                mount.close();
            }
        }
        assertThat(opened.get()).as("the filesystem opened a handle").isNotNegative();
        assertThat(released.get()).as("the handle whose reply failed was released").isEqualTo(opened.get());
    }
}

package dev.cask.core;

import static dev.cask.core.TestFiles.b;
import static dev.cask.core.TestFiles.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk can be emptied. On a 24 MiB file system made by the test (tmpfs with a size limit),
 * puts are refused once the reserve is reached, and deletes and a merge still run. Failed on the
 * code before the hardening issue: puts filled the disk to the last byte, and then the tombstones
 * of DEL and the output of a merge had no space either.
 */
class FullDiskTest {
    @TempDir
    Path scratch;

    private Path mount;

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    @BeforeEach
    void mountSmallFileSystem() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting a size-limited file system needs root (CI runs as root)");
        mount = Files.createDirectories(scratch.resolve("small"));
        assertThat(run("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mount.toString())).as("mount tmpfs").isZero();
    }

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) run("umount", "-l", mount.toString());
    }

    @Test
    void whenPutsAreRefusedForSpaceDeletesAndAMergeStillRun() throws Exception {
        Path db = mount.resolve("db");
        CaskOptions options = CaskOptions.defaults().withMaxFileSize(1 << 20).withAutoMerge(false, 0.5, 0).withReservedBytes(6 << 20);
        byte[] value = new byte[64 << 10];
        List<String> stored = new ArrayList<>();
        try (Cask cask = Cask.open(db, options)) {
            NoSpaceException refused = null;
            for (int i = 0; i < 1000 && refused == null; i++) {
                try {
                    cask.put(b("k" + i), value);
                    stored.add("k" + i);
                } catch (NoSpaceException e) {
                    refused = e;
                }
            }
            assertThat(refused).as("puts were refused before the disk filled").isNotNull();
            assertThat(refused).hasMessageContaining("kept so that deletes and merges can still run");
            assertThat(stored).hasSizeGreaterThan(100);
            assertThatThrownBy(() -> cask.put(b("more"), value)).isInstanceOf(NoSpaceException.class);
            for (String key : stored.subList(0, stored.size() - 10)) assertThat(cask.delete(b(key))).isTrue(); // tombstones fit
            cask.merge(); // its output fits in the reserve, and it frees the dead segments
            for (int i = 0; i < 50; i++) cask.put(b("again" + i), value); // space is back
        }
        try (Cask cask = Cask.open(db, options)) {
            assertThat(cask.get(b(stored.getFirst()))).isNull();
            assertThat(cask.get(b(stored.getLast()))).hasSize(value.length);
            assertThat(cask.get(b("again49"))).hasSize(value.length);
            assertThat(s(cask.get(b("nothing")))).isNull();
        }
    }

    @Test
    void aDiskFilledByAnotherWriterStillEndsInAClearErrorAndNothingHalfWritten() throws Exception {
        Path db = mount.resolve("db2");
        try (Cask cask = Cask.open(db, CaskOptions.defaults().withReservedBytes(0).withAutoMerge(false, 0.5, 0))) {
            cask.put(b("before"), b("v"));
            Files.write(mount.resolve("filler"), new byte[0]);
            try (var out = Files.newOutputStream(mount.resolve("filler"))) { // someone else fills the disk
                byte[] chunk = new byte[1 << 20];
                while (true) out.write(chunk);
            } catch (java.io.IOException full) {
                // the disk is full now
            }
            byte[] big = new byte[16 << 20]; // more than the 8 MiB the first put reserved ahead (fallocate) before the disk filled
            assertThatThrownBy(() -> cask.put(b("big"), big)).isInstanceOf(NoSpaceException.class).hasMessageContaining("nothing was written");
            Files.delete(mount.resolve("filler"));
            cask.put(b("after"), b("v"));
        }
        try (Cask cask = Cask.open(db)) {
            assertThat(cask.get(b("big"))).isNull();
            assertThat(s(cask.get(b("after")))).isEqualTo("v");
        }
    }

    /**
     * Puts go through a shared mapping of space reserved with fallocate (issue 18). Filling the disk
     * that way must end in a clean error, never in a SIGBUS that kills the JVM (a store into a mapped
     * hole on a full disk), and lose no acknowledged put; once space returns, puts work again.
     */
    @Test
    void mappedPutsThatFillTheDiskEndInACleanErrorAndResumeWhenSpaceReturns() throws Exception {
        Path db = mount.resolve("db3");
        Path ballast = mount.resolve("ballast");
        Files.write(ballast, new byte[4 << 20]);
        CaskOptions options = CaskOptions.defaults().withReservedBytes(0).withAutoMerge(false, 0.5, 0).withMaxFileSize(4 << 20);
        byte[] value = new byte[1000];
        List<String> stored = new ArrayList<>();
        try (Cask cask = Cask.open(db, options)) {
            cask.put(b("first"), value);
            assertThat(Files.readAllLines(Path.of("/proc/self/maps"))).as("the active segment is mapped for writes")
                    .anySatisfy(line -> assertThat(line).contains(" rw-s ").contains(db.toString()));
            NoSpaceException refused = null;
            for (int i = 0; i < 100_000 && refused == null; i++) {
                try {
                    cask.put(b("k" + i), value);
                    stored.add("k" + i);
                } catch (NoSpaceException e) {
                    refused = e;
                }
            }
            assertThat(refused).as("the disk filled").isNotNull().hasMessageContaining("nothing was written");
            assertThat(stored).hasSizeGreaterThan(10_000);
            Files.delete(ballast); // space returns
            for (int i = 0; i < 1000; i++) cask.put(b("again" + i), value);
        }
        try (Cask cask = Cask.open(db, options)) {
            for (String key : stored) assertThat(cask.get(b(key))).as(key).isEqualTo(value);
            assertThat(cask.get(b("again999"))).isEqualTo(value);
        }
    }
}

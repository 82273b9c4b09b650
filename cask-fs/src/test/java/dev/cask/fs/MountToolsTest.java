package dev.cask.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The acceptance list, on a real mount: everyday tools, hard links, remounts, a 1 GiB file. */
@Timeout(600)
class MountToolsTest {
    @TempDir
    Path tmp;

    private Path db() {
        return tmp.resolve("db");
    }

    private Path mnt() throws Exception {
        return Files.createDirectories(tmp.resolve("mnt"));
    }

    @Test
    void echoAndCatRoundTrip() throws Exception {
        try (TestMount m = TestMount.start(db(), mnt())) {
            assertThat(Shell.run(m.dir, "echo hello > a && cat a")).isEqualTo("hello\n");
            assertThat(m.log).isEmpty();
        }
    }

    @Test
    void statfsReportsTheDiskUnderneathAndTheNameLimit() throws Exception {
        try (TestMount m = TestMount.start(db(), mnt())) {
            String[] f = Shell.run(m.dir, "stat -f -c '%l %S %b' .").strip().split(" ");
            assertThat(f[0]).isEqualTo("255");
            assertThat(f[1]).isEqualTo("4096");
            long blocks = Long.parseLong(f[2]);
            assertThat(blocks * 4096).isEqualTo(Files.getFileStore(tmp).getTotalSpace() / 4096 * 4096);
            assertThat(m.log).isEmpty();
        }
    }

    @Test
    void hardLinksShareTheInodeAndCountLinks() throws Exception {
        try (TestMount m = TestMount.start(db(), mnt())) {
            String out = Shell.run(m.dir, "touch a && ln a b && ls -li a b");
            String[] lines = out.strip().split("\n");
            assertThat(lines).hasSize(2);
            String[] a = lines[0].trim().split("\\s+");
            String[] b = lines[1].trim().split("\\s+");
            assertThat(a[0]).isEqualTo(b[0]);
            assertThat(a[2]).isEqualTo("2");
            assertThat(b[2]).isEqualTo("2");
            assertThat(Shell.run(m.dir, "rm b && stat -c %h a").strip()).isEqualTo("1");
            assertThat(m.log).isEmpty();
        }
    }

    @Test
    void everydayToolsWorkAndARemountShowsIdenticalContent() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        String before;
        try (TestMount m = TestMount.start(db(), mnt())) {
            Shell.run(m.dir, """
                    mkdir -p src/deep/er && cp -a /etc/ssl src/ && cp -a /usr/share/doc/bash src/ 2>/dev/null || true
                    diff -r --no-dereference /etc/ssl src/ssl
                    ln -s ssl src/link && ln src/ssl/openssl.cnf src/hard.cnf
                    mkdir special && mkfifo special/fifo && test -p special/fifo
                    head -c 70000 /dev/zero | tr '\\0' x > src/deep/er/big && test "$(stat -c %%s src/deep/er/big)" = 70000
                    mv src/deep src/moved
                    find . | sort > /dev/null
                    tar cf - src | tar xf - -C "%1$s"
                    diff -r --no-dereference src "%1$s/src"
                    mkdir in && tar cf - -C /etc ssl | tar xf - -C in && diff -r --no-dereference /etc/ssl in/ssl
                    rm -r in && test ! -e in
                    """.formatted(outside));
            Shell.run(m.dir, """
                    mkdir repo && cd repo && git init -q && echo one > f && mkdir d && echo two > d/g
                    git add -A && git -c user.name=t -c user.email=t@t commit -q -m first
                    echo three >> f && git -c user.name=t -c user.email=t@t commit -q -am second
                    test "$(git log --oneline | wc -l)" = 2 && git fsck --strict --no-progress >/dev/null && test -z "$(git status --porcelain)"
                    """);
            before = manifest(m.dir);
            assertThat(m.log).isEmpty();
        }
        try (TestMount m = TestMount.start(db(), mnt())) {
            assertThat(manifest(m.dir)).isEqualTo(before);
            Shell.run(m.dir, "cd repo && git log --oneline | wc -l | grep -qx 2 && git fsck --strict --no-progress >/dev/null");
            assertThat(m.log).isEmpty();
        }
    }

    /** Every path's inode, type, mode, links, owner, size, blocks, times and content hash (or link target). */
    private static String manifest(Path dir) {
        return Shell.run(dir, """
                find . -printf '%p %i %y %m %n %u %g %s %b %T@ %C@ %l\\n' | sort
                find . -type f -print0 | sort -z | xargs -0 sha256sum
                """);
    }

    @Test
    void aGibibyteFileWrittenAtRandomOffsetsReadsBackTheSameChecksum() throws Exception {
        long size = 1L << 30;
        int block = 1 << 20;
        try (TestMount m = TestMount.start(db(), mnt())) {
            Path f = m.dir.resolve("big");
            Path ref = tmp.resolve("ref");
            Posix px = new Posix();
            int fd = px.open(f, Posix.O_RDWR | Posix.O_CREAT, 0644);
            int rd = px.open(ref, Posix.O_RDWR | Posix.O_CREAT, 0644);
            assertThat(fd).isPositive();
            Random r = new Random(42);
            byte[] data = new byte[block];
            for (int i = 0; i < 1280; i++) { // about 1.25 GiB of writes, some overlapping, at unaligned offsets
                long at = (long) (r.nextDouble() * (size - block));
                int len = 1 + r.nextInt(block);
                r.nextBytes(data);
                byte[] chunk = java.util.Arrays.copyOf(data, len);
                assertThat(px.pwrite(fd, chunk, at)).isEqualTo(len);
                assertThat(px.pwrite(rd, chunk, at)).isEqualTo(len);
            }
            assertThat(px.ftruncate(fd, size)).isZero();
            assertThat(px.ftruncate(rd, size)).isZero();
            assertThat(px.fsync(fd)).isZero();
            px.close(fd);
            px.close(rd);
            String sums = Shell.run(tmp, "echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; sha256sum mnt/big ref | cut -d' ' -f1");
            String[] two = sums.strip().split("\n");
            assertThat(two[0]).isEqualTo(two[1]);
            assertThat(Files.size(f)).isEqualTo(size);
            assertThat(m.log).isEmpty();
        }
    }

    @Test
    void aFileOfHundredsOfGibibytesWorksAndItsHolesCostNothing() throws Exception {
        try (TestMount m = TestMount.start(db(), mnt())) {
            String out = Shell.run(m.dir, """
                    truncate -s 200G huge
                    printf 'far' | dd of=huge bs=1 seek=$((150 * 1024 * 1024 * 1024)) conv=notrunc status=none
                    printf 'near' | dd of=huge bs=1 seek=4096 conv=notrunc status=none
                    echo "$(stat -c '%s %b' huge)"
                    dd if=huge bs=1 skip=$((150 * 1024 * 1024 * 1024)) count=3 status=none; echo
                    dd if=huge bs=1 skip=4096 count=4 status=none; echo
                    dd if=huge bs=1 skip=$((100 * 1024 * 1024 * 1024)) count=4 status=none | od -An -tx1 | tr -d ' '
                    truncate -s 1G huge && echo "$(stat -c '%s %b' huge)"
                    """);
            assertThat(out.split("\n")).containsExactly("214748364800 10", "far", "near", "00000000", "1073741824 9"); // blocks: 9 for chunk 0 (4,100 bytes), 1 for the far one
            assertThat(m.log).isEmpty();
        }
    }

    @Test
    void anUnlinkedOpenFileStaysUsableUntilItsLastReleaseAndIsThenFreed() throws Exception {
        long ino;
        try (TestMount m = TestMount.start(db(), mnt())) {
            Posix px = new Posix();
            Path f = m.dir.resolve("f");
            px.writeFile(f, "before".getBytes());
            ino = px.lstat(f).ino();
            int fd = px.open(f, Posix.O_RDWR, 0);
            assertThat(px.unlink(f)).isZero();
            assertThat(Files.exists(f)).isFalse();
            byte[] big = new byte[300_000];
            new Random(1).nextBytes(big);
            assertThat(px.pwrite(fd, big, 6)).isEqualTo(big.length);
            byte[] back = new byte[big.length + 6];
            assertThat(px.pread(fd, back, 0)).isEqualTo(back.length);
            assertThat(new String(back, 0, 6)).isEqualTo("before");
            assertThat(java.util.Arrays.copyOfRange(back, 6, back.length)).isEqualTo(big);
            assertThat(px.fstat(fd).nlink()).isZero();
            assertThat(chunkKeys(m, ino)).isPositive(); // still held while open
            px.close(fd);
            long deadline = System.nanoTime() + 10_000_000_000L; // release is asynchronous to close(2)
            while (chunkKeys(m, ino) > 0 && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(chunkKeys(m, ino)).isZero();
            assertThat(m.cask.get(FsKeys.inode(ino))).isNull();
            assertThat(m.log).isEmpty();
        }
    }

    private static long chunkKeys(TestMount m, long ino) {
        long[] n = {0};
        m.cask.forEachKey(k -> {
            if (k[0] == FsKeys.CHUNK && FsKeys.ino(k) == ino) n[0]++;
        });
        return n[0];
    }

    /**
     * Failed on the code before the hardening issue: times were nanoseconds since 1970 in a signed
     * long, so 2300-01-01 wrapped (stat showed a date in 1715).
     */
    @Test
    void timestampsOutsideSixteenSeventyEightToTwentyTwoSixtyTwoDoNotWrap() throws Exception {
        try (TestMount m = TestMount.start(db(), mnt())) {
            assertThat(Shell.run(m.dir, "touch -d 2300-01-01T00:00:00Z f && stat -c %Y f").strip()).isEqualTo("10413792000");
            assertThat(Shell.run(m.dir, "touch -d 1901-12-14T00:00:00Z g && stat -c %Y g").strip()).isEqualTo("-2147472000");
            assertThat(Shell.run(m.dir, "touch -d '2446-05-10 00:00:00.123456789Z' h && stat -c '%Y %y' h").strip())
                    .startsWith("15032304000 2446-05-10 00:00:00.123456789");
        }
        try (TestMount m = TestMount.start(db(), mnt())) { // and stored so
            assertThat(Shell.run(m.dir, "stat -c %Y f g h").strip()).isEqualTo("10413792000\n-2147472000\n15032304000");
        }
    }
}

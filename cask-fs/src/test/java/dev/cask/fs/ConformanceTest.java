package dev.cask.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance set: every operation the filesystem implements, in its success and error cases,
 * run once on the mount and once on the ext4 disk underneath. For each case the two must agree on
 * the errno, on which of atime, mtime and ctime changed for each watched path (the parent
 * directory among them), and on each watched path's type, mode, owner, link count and size
 * afterwards. Cases marked as a user run on a thread whose credentials are uid/gid 1000, so the
 * EACCES and EPERM rules are exercised by a caller who is not root.
 */
@Timeout(300)
class ConformanceTest {
    private static final int USER = 1000;

    @TempDir
    static Path tmp;
    private static TestMount mount;
    private static Path disk;
    private static ExecutorService asRoot;
    private static ExecutorService asUser;

    interface Setup {
        void run(Posix px, Path d) throws Exception;
    }

    interface Action {
        int run(Posix px, Path d, Path elsewhere) throws Exception;
    }

    record Case(String name, boolean user, boolean exactTimes, Setup setup, Action action, String... watch) {
    }

    @BeforeAll
    static void mountIt() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x")); // user 1000 must get through
        disk = Files.createDirectories(tmp.resolve("disk"));
        mount = TestMount.start(tmp.resolve("db"), Files.createDirectories(tmp.resolve("mnt")));
        asRoot = Executors.newSingleThreadExecutor();
        asUser = Executors.newSingleThreadExecutor();
        asUser.submit(() -> new Posix().becomeUser(USER, USER)).get();
    }

    @AfterAll
    static void unmount() throws Exception {
        asUser.shutdownNow();
        asRoot.shutdownNow();
        if (mount != null) mount.close();
    }

    private static final ThreadLocal<Posix> POSIX = ThreadLocal.withInitial(Posix::new);

    private static Posix px() {
        return POSIX.get();
    }

    private static void file(Posix px, Path p, String content) {
        px.writeFile(p, content.getBytes());
    }

    private static int lstatErrno(Posix px, Path p) {
        int[] e = {0};
        px.lstat(p, e);
        return e[0];
    }

    private static int openClose(Posix px, Path p, int flags, int mode) {
        int fd = px.open(p, flags, mode);
        if (fd < 0) return -fd;
        px.close(fd);
        return 0;
    }

    private static int readAll(Posix px, Path p) {
        int fd = px.open(p, Posix.O_RDONLY, 0);
        if (fd < 0) return -fd;
        long n = px.pread(fd, new byte[4096], 0);
        px.close(fd);
        return n < 0 ? (int) -n : 0;
    }

    interface FdAction {
        int run(int fd);
    }

    private static int withFd(Posix px, Path p, FdAction action) {
        int fd = px.open(p, Posix.O_RDWR, 0);
        if (fd < 0) return -fd;
        int rc = action.run(fd);
        px.close(fd);
        return rc;
    }

    private static String name(int length) {
        return "n".repeat(length);
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        // ---- errors ----
        c.add(new Case("lookup of a missing name", false, false, (px, d) -> { }, (px, d, e) -> lstatErrno(px, d.resolve("nope")), "."));
        c.add(new Case("mkdir of an existing name", false, false, (px, d) -> px.mkdir(d.resolve("x"), 0755),
                (px, d, e) -> px.mkdir(d.resolve("x"), 0755), ".", "x"));
        c.add(new Case("create O_EXCL of an existing file", false, false, (px, d) -> file(px, d.resolve("f"), "a"),
                (px, d, e) -> openClose(px, d.resolve("f"), Posix.O_CREAT | Posix.O_EXCL | Posix.O_WRONLY, 0644), ".", "f"));
        c.add(new Case("open O_CREAT of an existing file", false, false, (px, d) -> file(px, d.resolve("f"), "a"),
                (px, d, e) -> openClose(px, d.resolve("f"), Posix.O_CREAT | Posix.O_WRONLY, 0600), ".", "f"));
        c.add(new Case("mkdir under a file", false, false, (px, d) -> file(px, d.resolve("f"), "a"),
                (px, d, e) -> px.mkdir(d.resolve("f/x"), 0755), ".", "f"));
        c.add(new Case("rmdir of a file", false, false, (px, d) -> file(px, d.resolve("f"), "a"), (px, d, e) -> px.rmdir(d.resolve("f")), ".", "f"));
        c.add(new Case("unlink of a directory", false, false, (px, d) -> px.mkdir(d.resolve("x"), 0755), (px, d, e) -> px.unlink(d.resolve("x")), ".", "x"));
        c.add(new Case("rmdir of a non-empty directory", false, false, (px, d) -> {
            px.mkdir(d.resolve("x"), 0755);
            file(px, d.resolve("x/f"), "a");
        }, (px, d, e) -> px.rmdir(d.resolve("x")), ".", "x"));
        c.add(new Case("rmdir of a missing name", false, false, (px, d) -> { }, (px, d, e) -> px.rmdir(d.resolve("x")), "."));
        c.add(new Case("unlink of a missing name", false, false, (px, d) -> { }, (px, d, e) -> px.unlink(d.resolve("x")), "."));
        c.add(new Case("mkdir in a missing directory", false, false, (px, d) -> { }, (px, d, e) -> px.mkdir(d.resolve("x/y"), 0755), "."));
        c.add(new Case("rename of a missing name", false, false, (px, d) -> { }, (px, d, e) -> px.rename(d.resolve("x"), d.resolve("y"), 0), "."));
        c.add(new Case("rename of a directory over a non-empty one", false, false, (px, d) -> {
            px.mkdir(d.resolve("a"), 0755);
            px.mkdir(d.resolve("b"), 0755);
            file(px, d.resolve("b/f"), "a");
        }, (px, d, e) -> px.rename(d.resolve("a"), d.resolve("b"), 0), ".", "a", "b"));
        c.add(new Case("rename of a file over a directory", false, false, (px, d) -> {
            file(px, d.resolve("f"), "a");
            px.mkdir(d.resolve("x"), 0755);
        }, (px, d, e) -> px.rename(d.resolve("f"), d.resolve("x"), 0), ".", "f", "x"));
        c.add(new Case("rename of a directory over a file", false, false, (px, d) -> {
            file(px, d.resolve("f"), "a");
            px.mkdir(d.resolve("x"), 0755);
        }, (px, d, e) -> px.rename(d.resolve("x"), d.resolve("f"), 0), ".", "f", "x"));
        c.add(new Case("rename of a directory into its own subdirectory", false, false, (px, d) -> {
            px.mkdir(d.resolve("a"), 0755);
            px.mkdir(d.resolve("a/b"), 0755);
        }, (px, d, e) -> px.rename(d.resolve("a"), d.resolve("a/b/c"), 0), ".", "a", "a/b"));
        c.add(new Case("create with a 256-byte name", false, false, (px, d) -> { },
                (px, d, e) -> openClose(px, d.resolve(name(256)), Posix.O_CREAT | Posix.O_WRONLY, 0644), "."));
        c.add(new Case("create with a 255-byte name", false, false, (px, d) -> { },
                (px, d, e) -> openClose(px, d.resolve(name(255)), Posix.O_CREAT | Posix.O_WRONLY, 0644), ".", name(255)));
        c.add(new Case("lookup of a 256-byte name", false, false, (px, d) -> { }, (px, d, e) -> lstatErrno(px, d.resolve(name(256))), "."));
        c.add(new Case("mkdir with a 256-byte name", false, false, (px, d) -> { }, (px, d, e) -> px.mkdir(d.resolve(name(256)), 0755), "."));
        c.add(new Case("rename to a 256-byte name", false, false, (px, d) -> file(px, d.resolve("f"), "a"),
                (px, d, e) -> px.rename(d.resolve("f"), d.resolve(name(256)), 0), ".", "f"));
        c.add(new Case("hard link to a directory", false, false, (px, d) -> px.mkdir(d.resolve("x"), 0755),
                (px, d, e) -> px.link(d.resolve("x"), d.resolve("y")), ".", "x"));
        c.add(new Case("hard link onto an existing name", false, false, (px, d) -> {
            file(px, d.resolve("f"), "a");
            file(px, d.resolve("g"), "b");
        }, (px, d, e) -> px.link(d.resolve("f"), d.resolve("g")), ".", "f", "g"));
        c.add(new Case("symlink onto an existing name", false, false, (px, d) -> file(px, d.resolve("f"), "a"),
                (px, d, e) -> px.symlink("target", d.resolve("f")), ".", "f"));
        c.add(new Case("rename NOREPLACE onto an existing name", false, false, (px, d) -> {
            file(px, d.resolve("f"), "a");
            file(px, d.resolve("g"), "b");
        }, (px, d, e) -> px.rename(d.resolve("f"), d.resolve("g"), Posix.RENAME_NOREPLACE), ".", "f", "g"));
        c.add(new Case("rename EXCHANGE with a missing name", false, false, (px, d) -> file(px, d.resolve("f"), "a"),
                (px, d, e) -> px.rename(d.resolve("f"), d.resolve("g"), Posix.RENAME_EXCHANGE), ".", "f"));
        c.add(new Case("open of a directory for writing", false, false, (px, d) -> px.mkdir(d.resolve("x"), 0755),
                (px, d, e) -> openClose(px, d.resolve("x"), Posix.O_WRONLY, 0), ".", "x"));
        c.add(new Case("O_DIRECTORY open of a file", false, false, (px, d) -> file(px, d.resolve("f"), "a"),
                (px, d, e) -> openClose(px, d.resolve("f"), Posix.O_RDONLY | Posix.O_DIRECTORY, 0), ".", "f"));
        c.add(new Case("readlink of a file", false, false, (px, d) -> file(px, d.resolve("f"), "a"), (px, d, e) -> {
            int[] err = {0};
            px.readlink(d.resolve("f"), err);
            return err[0];
        }, ".", "f"));
        c.add(new Case("truncate of a directory", false, false, (px, d) -> px.mkdir(d.resolve("x"), 0755),
                (px, d, e) -> px.truncate(d.resolve("x"), 0), ".", "x"));
        c.add(new Case("rename to another filesystem", false, false, (px, d) -> file(px, d.resolve("f"), "a"),
                (px, d, e) -> px.rename(d.resolve("f"), e.resolve("f"), 0), ".", "f"));
        // ---- permissions, as uid 1000 ----
        c.add(new Case("create in a root-owned 0755 directory", true, false, (px, d) -> px.chmod(d, 0755),
                (px, d, e) -> openClose(px, d.resolve("f"), Posix.O_CREAT | Posix.O_WRONLY, 0644), "."));
        c.add(new Case("mkdir in an own 0555 directory", true, false, (px, d) -> {
            px.mkdir(d.resolve("x"), 0555);
            px.lchown(d.resolve("x"), USER, USER);
        }, (px, d, e) -> px.mkdir(d.resolve("x/y"), 0755), ".", "x"));
        c.add(new Case("chmod of another user's file", true, false, (px, d) -> file(px, d.resolve("f"), "a"),
                (px, d, e) -> px.chmod(d.resolve("f"), 0777), ".", "f"));
        c.add(new Case("chown of an own file to another user", true, false, (px, d) -> {
            file(px, d.resolve("f"), "a");
            px.lchown(d.resolve("f"), USER, USER);
        }, (px, d, e) -> px.lchown(d.resolve("f"), 0, -1), ".", "f"));
        c.add(new Case("chgrp of an own file to a group it is not in", true, false, (px, d) -> {
            file(px, d.resolve("f"), "a");
            px.lchown(d.resolve("f"), USER, USER);
        }, (px, d, e) -> px.lchown(d.resolve("f"), -1, 0), ".", "f"));
        c.add(new Case("chmod of an own file", true, false, (px, d) -> {
            file(px, d.resolve("f"), "a");
            px.lchown(d.resolve("f"), USER, USER);
        }, (px, d, e) -> px.chmod(d.resolve("f"), 0600), ".", "f"));
        c.add(new Case("utimens with explicit times on another user's file", true, false, (px, d) -> file(px, d.resolve("f"), "a"),
                (px, d, e) -> px.utimens(d.resolve("f"), new long[] {1000, 0}, new long[] {2000, 0}), ".", "f"));
        c.add(new Case("utimens now on another user's read-only file", true, false, (px, d) -> file(px, d.resolve("f"), "a"),
                (px, d, e) -> px.utimens(d.resolve("f"), null, null), ".", "f"));
        c.add(new Case("utimens now on another user's writable file", true, false, (px, d) -> {
            file(px, d.resolve("f"), "a");
            px.chmod(d.resolve("f"), 0666);
        }, (px, d, e) -> px.utimens(d.resolve("f"), null, null), ".", "f"));
        c.add(new Case("open of another user's 0600 file", true, false, (px, d) -> {
            file(px, d.resolve("f"), "a");
            px.chmod(d.resolve("f"), 0600);
        }, (px, d, e) -> openClose(px, d.resolve("f"), Posix.O_RDONLY, 0), ".", "f"));
        c.add(new Case("unlink of another user's file in a sticky directory", true, false, (px, d) -> {
            px.chmod(d, 01777);
            file(px, d.resolve("f"), "a");
        }, (px, d, e) -> px.unlink(d.resolve("f")), ".", "f"));
        c.add(new Case("rename of another user's file in a sticky directory", true, false, (px, d) -> {
            px.chmod(d, 01777);
            file(px, d.resolve("f"), "a");
        }, (px, d, e) -> px.rename(d.resolve("f"), d.resolve("g"), 0), ".", "f"));
        c.add(new Case("create in a sticky 1777 directory", true, false, (px, d) -> px.chmod(d, 01777),
                (px, d, e) -> openClose(px, d.resolve("f"), Posix.O_CREAT | Posix.O_WRONLY, 0640), ".", "f"));
        c.add(new Case("mkdir in a setgid directory", false, false, (px, d) -> {
            px.mkdir(d.resolve("s"), 0775);
            px.lchown(d.resolve("s"), 0, USER);
            px.chmod(d.resolve("s"), 02775);
        }, (px, d, e) -> px.mkdir(d.resolve("s/x"), 0755), "s", "s/x"));
        // ---- successes and their timestamps ----
        c.add(new Case("create a file", false, false, (px, d) -> { },
                (px, d, e) -> openClose(px, d.resolve("f"), Posix.O_CREAT | Posix.O_WRONLY, 0640), ".", "f"));
        c.add(new Case("mkdir", false, false, (px, d) -> { }, (px, d, e) -> px.mkdir(d.resolve("x"), 0750), ".", "x"));
        c.add(new Case("mknod a FIFO", false, false, (px, d) -> { }, (px, d, e) -> px.mknod(d.resolve("p"), Posix.S_IFIFO | 0600), ".", "p"));
        c.add(new Case("symlink", false, false, (px, d) -> { }, (px, d, e) -> px.symlink("some/where", d.resolve("l")), ".", "l"));
        c.add(new Case("readlink", false, false, (px, d) -> px.symlink("some/where", d.resolve("l")), (px, d, e) -> {
            int[] err = {0};
            String t = px.readlink(d.resolve("l"), err);
            return t != null && t.equals("some/where") ? 0 : 1000 + err[0];
        }, ".", "l"));
        c.add(new Case("hard link", false, false, (px, d) -> file(px, d.resolve("f"), "a"),
                (px, d, e) -> px.link(d.resolve("f"), d.resolve("g")), ".", "f", "g"));
        c.add(new Case("unlink one of two links", false, false, (px, d) -> {
            file(px, d.resolve("f"), "a");
            px.link(d.resolve("f"), d.resolve("g"));
        }, (px, d, e) -> px.unlink(d.resolve("f")), ".", "g"));
        c.add(new Case("unlink the last link", false, false, (px, d) -> file(px, d.resolve("f"), "a"),
                (px, d, e) -> px.unlink(d.resolve("f")), "."));
        c.add(new Case("rmdir", false, false, (px, d) -> px.mkdir(d.resolve("x"), 0755), (px, d, e) -> px.rmdir(d.resolve("x")), "."));
        c.add(new Case("rename within a directory", false, false, (px, d) -> file(px, d.resolve("f"), "a"),
                (px, d, e) -> px.rename(d.resolve("f"), d.resolve("g"), 0), ".", "g"));
        c.add(new Case("rename a file across directories", false, false, (px, d) -> {
            px.mkdir(d.resolve("a"), 0755);
            px.mkdir(d.resolve("b"), 0755);
            file(px, d.resolve("a/f"), "a");
        }, (px, d, e) -> px.rename(d.resolve("a/f"), d.resolve("b/f"), 0), ".", "a", "b", "b/f"));
        c.add(new Case("rename a directory across directories", false, false, (px, d) -> {
            px.mkdir(d.resolve("a"), 0755);
            px.mkdir(d.resolve("b"), 0755);
            px.mkdir(d.resolve("a/x"), 0755);
        }, (px, d, e) -> px.rename(d.resolve("a/x"), d.resolve("b/x"), 0), ".", "a", "b", "b/x"));
        c.add(new Case("rename over an existing file", false, false, (px, d) -> {
            file(px, d.resolve("f"), "a");
            file(px, d.resolve("g"), "b");
            px.link(d.resolve("g"), d.resolve("h"));
        }, (px, d, e) -> px.rename(d.resolve("f"), d.resolve("g"), 0), ".", "g", "h"));
        c.add(new Case("rename over an empty directory", false, false, (px, d) -> {
            px.mkdir(d.resolve("a"), 0755);
            px.mkdir(d.resolve("b"), 0755);
            px.mkdir(d.resolve("p"), 0755);
            px.mkdir(d.resolve("p/b"), 0755);
        }, (px, d, e) -> px.rename(d.resolve("a"), d.resolve("p/b"), 0), ".", "p", "p/b"));
        c.add(new Case("rename onto another link of the same inode", false, false, (px, d) -> {
            file(px, d.resolve("f"), "a");
            px.link(d.resolve("f"), d.resolve("g"));
        }, (px, d, e) -> px.rename(d.resolve("f"), d.resolve("g"), 0), ".", "f", "g"));
        c.add(new Case("rename NOREPLACE to a new name", false, false, (px, d) -> file(px, d.resolve("f"), "a"),
                (px, d, e) -> px.rename(d.resolve("f"), d.resolve("g"), Posix.RENAME_NOREPLACE), ".", "g"));
        c.add(new Case("rename EXCHANGE of a file and a directory across directories", false, false, (px, d) -> {
            px.mkdir(d.resolve("a"), 0755);
            px.mkdir(d.resolve("b"), 0755);
            file(px, d.resolve("a/x"), "a");
            px.mkdir(d.resolve("b/y"), 0700);
        }, (px, d, e) -> px.rename(d.resolve("a/x"), d.resolve("b/y"), Posix.RENAME_EXCHANGE), ".", "a", "b", "a/x", "b/y"));
        c.add(new Case("write", false, false, (px, d) -> file(px, d.resolve("f"), "abc"), (px, d, e) -> {
            int fd = px.open(d.resolve("f"), Posix.O_WRONLY, 0);
            long n = px.pwrite(fd, "hello".getBytes(), 100_000);
            px.close(fd);
            return n == 5 ? 0 : 1000;
        }, ".", "f"));
        c.add(new Case("read after a write (relatime)", false, false, (px, d) -> file(px, d.resolve("f"), "abc"),
                (px, d, e) -> readAll(px, d.resolve("f")), ".", "f"));
        c.add(new Case("a second read (relatime)", false, false, (px, d) -> {
            file(px, d.resolve("f"), "abc");
            Thread.sleep(25); // so the first read's atime is later than mtime even on ext4's coarse clock
            readAll(px, d.resolve("f"));
        }, (px, d, e) -> readAll(px, d.resolve("f")), ".", "f"));
        c.add(new Case("truncate smaller", false, false, (px, d) -> file(px, d.resolve("f"), "abcdef"),
                (px, d, e) -> px.truncate(d.resolve("f"), 2), ".", "f"));
        c.add(new Case("truncate larger", false, false, (px, d) -> file(px, d.resolve("f"), "abcdef"),
                (px, d, e) -> px.truncate(d.resolve("f"), 200_000), ".", "f"));
        c.add(new Case("truncate to the same size", false, false, (px, d) -> file(px, d.resolve("f"), "abcdef"),
                (px, d, e) -> px.truncate(d.resolve("f"), 6), ".", "f"));
        c.add(new Case("ftruncate to the same size", false, false, (px, d) -> file(px, d.resolve("f"), "abcdef"), (px, d, e) -> {
            int fd = px.open(d.resolve("f"), Posix.O_WRONLY, 0);
            int rc = px.ftruncate(fd, 6);
            px.close(fd);
            return rc;
        }, ".", "f"));
        c.add(new Case("open O_TRUNC of an empty file", false, false, (px, d) -> file(px, d.resolve("f"), ""),
                (px, d, e) -> openClose(px, d.resolve("f"), Posix.O_WRONLY | Posix.O_TRUNC, 0), ".", "f"));
        c.add(new Case("open O_TRUNC of a non-empty file", false, false, (px, d) -> file(px, d.resolve("f"), "abc"),
                (px, d, e) -> openClose(px, d.resolve("f"), Posix.O_WRONLY | Posix.O_TRUNC, 0), ".", "f"));
        c.add(new Case("chmod", false, false, (px, d) -> file(px, d.resolve("f"), "a"), (px, d, e) -> px.chmod(d.resolve("f"), 04711), ".", "f"));
        c.add(new Case("chown to another user", false, false, (px, d) -> file(px, d.resolve("f"), "a"),
                (px, d, e) -> px.lchown(d.resolve("f"), USER, USER), ".", "f"));
        c.add(new Case("chown of a setuid file by its owner", true, false, (px, d) -> {
            file(px, d.resolve("f"), "a");
            px.lchown(d.resolve("f"), USER, USER);
            px.chmod(d.resolve("f"), 06755);
        }, (px, d, e) -> px.lchown(d.resolve("f"), USER, USER), ".", "f"));
        c.add(new Case("utimens now", false, false, (px, d) -> file(px, d.resolve("f"), "a"), (px, d, e) -> px.utimens(d.resolve("f"), null, null), ".", "f"));
        c.add(new Case("utimens omitting both", false, false, (px, d) -> file(px, d.resolve("f"), "a"),
                (px, d, e) -> px.utimens(d.resolve("f"), new long[] {0, Posix.UTIME_OMIT}, new long[] {0, Posix.UTIME_OMIT}), ".", "f"));
        c.add(new Case("utimens explicit atime, mtime omitted", false, false, (px, d) -> file(px, d.resolve("f"), "a"),
                (px, d, e) -> px.utimens(d.resolve("f"), new long[] {1_000_000_000L, 123_456_789}, new long[] {0, Posix.UTIME_OMIT}), "f"));
        c.add(new Case("utimens explicit times", false, true, (px, d) -> file(px, d.resolve("f"), "a"),
                (px, d, e) -> px.utimens(d.resolve("f"), new long[] {1_000_000_000L, 1}, new long[] {1_500_000_000L, 999_999_999}), "f"));
        c.add(new Case("utimens of a symlink itself", false, true, (px, d) -> px.symlink("x", d.resolve("l")),
                (px, d, e) -> px.utimens(d.resolve("l"), new long[] {1_000_000_000L, 0}, new long[] {1_000_000_001L, 0}), "l"));
        c.add(new Case("fallocate past the end", false, false, (px, d) -> file(px, d.resolve("f"), "abc"),
                (px, d, e) -> withFd(px, d.resolve("f"), fd -> px.fallocate(fd, 0, 0, 100_000)), ".", "f"));
        c.add(new Case("fallocate KEEP_SIZE", false, false, (px, d) -> file(px, d.resolve("f"), "abc"),
                (px, d, e) -> withFd(px, d.resolve("f"), fd -> px.fallocate(fd, Posix.FALLOC_FL_KEEP_SIZE, 0, 100_000)), ".", "f"));
        c.add(new Case("fallocate PUNCH_HOLE", false, false, (px, d) -> file(px, d.resolve("f"), "x".repeat(200_000)),
                (px, d, e) -> withFd(px, d.resolve("f"), fd -> {
                    int rc = px.fallocate(fd, Posix.FALLOC_FL_PUNCH_HOLE | Posix.FALLOC_FL_KEEP_SIZE, 1000, 150_000);
                    byte[] back = new byte[200_000];
                    px.pread(fd, back, 0);
                    for (int i = 0; i < back.length; i++) {
                        boolean hole = i >= 1000 && i < 151_000;
                        if (back[i] != (hole ? 0 : 'x')) return 1000 + i;
                    }
                    return rc;
                }), ".", "f"));
        c.add(new Case("fallocate PUNCH_HOLE without KEEP_SIZE", false, false, (px, d) -> file(px, d.resolve("f"), "abc"),
                (px, d, e) -> withFd(px, d.resolve("f"), fd -> px.fallocate(fd, Posix.FALLOC_FL_PUNCH_HOLE, 0, 2)), ".", "f"));
        c.add(new Case("fsync of a directory", false, false, (px, d) -> px.mkdir(d.resolve("x"), 0755), (px, d, e) -> {
            int fd = px.open(d.resolve("x"), Posix.O_RDONLY | Posix.O_DIRECTORY, 0);
            if (fd < 0) return -fd;
            int rc = px.fsync(fd);
            px.close(fd);
            return rc;
        }, ".", "x"));
        c.add(new Case("fsync of a written file", false, false, (px, d) -> { }, (px, d, e) -> {
            int fd = px.open(d.resolve("f"), Posix.O_CREAT | Posix.O_WRONLY, 0644);
            px.pwrite(fd, "data".getBytes(), 0);
            int rc = px.fsync(fd);
            px.close(fd);
            return rc;
        }, ".", "f"));
        c.add(new Case("list a directory (relatime)", false, false, (px, d) -> {
            px.mkdir(d.resolve("x"), 0755);
            file(px, d.resolve("x/f"), "a");
        }, (px, d, e) -> {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(d.resolve("x"))) {
                int n = 0;
                for (Path ignored : s) n++;
                return n == 1 ? 0 : 1000 + n;
            }
        }, ".", "x"));
        return c;
    }

    @Test
    void everyOperationAgreesWithExt4OnErrnoTimestampsAndAttributes() throws Exception {
        Map<String, String> mismatches = new LinkedHashMap<>();
        Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "cask-conf");
        try {
            int i = 0;
            for (Case k : cases()) {
                i++;
                String onDisk = run(k, disk.resolve("c" + i), shm);
                String onMount = run(k, mount.dir.resolve("c" + i), disk);
                if (!onDisk.equals(onMount)) mismatches.put(k.name(), "\n  ext4:  " + onDisk + "\n  mount: " + onMount);
            }
        } finally {
            Shell.run(tmp, "rm -rf " + shm);
        }
        assertThat(mismatches).as("cases where the mount and ext4 differ").isEmpty();
        assertThat(cases()).hasSizeGreaterThan(70);
        assertThat(mount.log).isEmpty();
    }

    /** errno, then per watched path: which times changed, and type/mode/owner/links/size after. */
    private static String run(Case k, Path d, Path elsewhere) throws Exception {
        call(asRoot, () -> {
            Posix px = px();
            if (px.mkdir(d, 0777) != 0) throw new AssertionError("mkdir " + d);
            px.chmod(d, 0777);
            k.setup().run(px, d);
            return 0;
        });
        Map<String, Posix.Stat> before = call(asRoot, () -> stats(px(), d, k.watch()));
        Thread.sleep(25); // past the timestamp granularity, so that a change shows
        int errno = call(k.user() ? asUser : asRoot, () -> k.action().run(px(), d, elsewhere));
        Map<String, Posix.Stat> after = call(asRoot, () -> stats(px(), d, k.watch()));
        StringBuilder out = new StringBuilder("errno " + errno);
        for (String w : k.watch()) {
            Posix.Stat b = before.get(w);
            Posix.Stat a = after.get(w);
            out.append(" | ").append(w).append(": ");
            if (a == null) {
                out.append("absent");
                continue;
            }
            if (b == null) out.append("new");
            else if (b.ino() != a.ino()) out.append("replaced"); // another inode now: its times say nothing about the operation
            else out.append(b.atime() != a.atime() ? "a" : "-").append(b.mtime() != a.mtime() ? "m" : "-").append(b.ctime() != a.ctime() ? "c" : "-");
            boolean isDir = (a.mode() & 0170000) == 0040000;
            out.append(String.format(" mode %o uid %d gid %d links %d", a.mode(), a.uid(), a.gid(), a.nlink()));
            if (!isDir) out.append(" size ").append(a.size());
            if (k.exactTimes()) out.append(" atime ").append(a.atime()).append(" mtime ").append(a.mtime());
        }
        return out.toString();
    }

    private static Map<String, Posix.Stat> stats(Posix px, Path d, String[] watch) {
        Map<String, Posix.Stat> m = new LinkedHashMap<>();
        for (String w : watch) {
            Posix.Stat s = px.lstat(w.equals(".") ? d : d.resolve(w), new int[1]);
            if (s != null) m.put(w, s);
        }
        return m;
    }

    private static <T> T call(ExecutorService on, java.util.concurrent.Callable<T> task) throws Exception {
        Future<T> f = on.submit(task);
        return f.get(60, TimeUnit.SECONDS);
    }

    @Test
    void theLinkLimitIsExt4s() throws Exception {
        String disk65000 = call(asRoot, () -> linkUntilRefused(px(), disk.resolve("links")));
        String mount65000 = call(asRoot, () -> linkUntilRefused(px(), mount.dir.resolve("links")));
        assertThat(mount65000).isEqualTo(disk65000).isEqualTo("65000 links, then errno 31");
    }

    private static String linkUntilRefused(Posix px, Path d) {
        px.mkdir(d, 0755);
        file(px, d.resolve("f"), "a");
        for (int i = 1; ; i++) {
            int rc = px.link(d.resolve("f"), d.resolve("l" + i));
            if (rc != 0) return px.lstat(d.resolve("f")).nlink() + " links, then errno " + rc;
            if (i > 70_000) return "no limit";
        }
    }
}

package dev.cask.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cask.core.Cask;
import dev.cask.fs.fuse.Attr;
import dev.cask.fs.fuse.Caller;
import dev.cask.fs.fuse.SetAttr;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Truncating or deleting a file costs what it stores, in bounded batches. Failed on the code before
 * the hardening issue: a 64 TiB sparse file's deletion visited a billion chunk indexes on the one
 * FUSE thread (minutes), and a file of many chunks was deleted in one batch, which could pass the
 * engine's 1 GiB limit (then the file could not be deleted, and an unlinked open one stopped the
 * next mount).
 */
@Timeout(120)
class HugeFileFreeTest {
    private static final Caller ROOT = new Caller(0, 0, 1);
    private static final long TIB = 1L << 40;

    @TempDir
    Path tmp;

    private final List<String> log = new ArrayList<>();

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aSixtyFourTebibyteSparseFileIsTruncatedAndDeletedAtOnce() {
        try (Cask cask = Cask.open(tmp.resolve("db")); Arena arena = Arena.ofConfined()) {
            CaskFileSystem fs = CaskFileSystem.load(cask, 0, 0, log::add);
            long[] fh = new long[1];
            Attr f = fs.create(ROOT, CaskFileSystem.ROOT, b("f"), 0644, 0, fh);
            MemorySegment x = arena.allocate(1).fill((byte) 'x');
            fs.setattr(ROOT, f.ino(), new SetAttr(SetAttr.SIZE, 0, 0, 0, 64 * TIB, 0, 0));
            fs.write(f.ino(), fh[0], 40 * TIB, x);
            fs.write(f.ino(), fh[0], 64 * TIB - 1, x);
            fs.setattr(ROOT, f.ino(), new SetAttr(SetAttr.SIZE, 0, 0, 0, TIB, 0, 0)); // drops two chunks, a billion indexes apart
            assertThat(fs.getattr(f.ino()).blocks()).isZero();
            fs.setattr(ROOT, f.ino(), new SetAttr(SetAttr.SIZE, 0, 0, 0, 64 * TIB, 0, 0));
            MemorySegment back = arena.allocate(1);
            fs.read(f.ino(), fh[0], 40 * TIB, back);
            assertThat(back.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0)).isZero(); // the old byte is gone, not shown again
            fs.release(f.ino(), fh[0]);
            fs.unlink(ROOT, CaskFileSystem.ROOT, b("f"));
            assertThat(cask.size()).isEqualTo(2); // the superblock and the root inode
        }
    }

    @Test
    void aFileOfManyChunksIsFreedInBoundedBatchesAndAnOpenOneAtTheNextMount() {
        int chunks = FileChunks.FREE_BATCH * 3 + 17;
        long ino;
        try (Cask cask = Cask.open(tmp.resolve("db")); Arena arena = Arena.ofConfined()) {
            CaskFileSystem fs = CaskFileSystem.load(cask, 0, 0, log::add);
            long[] fh = new long[1];
            MemorySegment x = arena.allocate(1).fill((byte) 'x');
            Attr closed = fs.create(ROOT, CaskFileSystem.ROOT, b("closed"), 0644, 0, fh);
            for (int i = 0; i < chunks; i++) fs.write(closed.ino(), fh[0], (long) i * 3 * CaskFileSystem.CHUNK_SIZE, x);
            fs.release(closed.ino(), fh[0]);
            long keysWithIt = cask.size();
            fs.unlink(ROOT, CaskFileSystem.ROOT, b("closed"));
            assertThat(cask.size()).isEqualTo(keysWithIt - chunks - 2); // chunks, inode and directory entry
            Attr open = fs.create(ROOT, CaskFileSystem.ROOT, b("open"), 0644, 0, fh);
            ino = open.ino();
            for (int i = 0; i < chunks; i++) fs.write(ino, fh[0], (long) i * 5 * CaskFileSystem.CHUNK_SIZE, x);
            fs.unlink(ROOT, CaskFileSystem.ROOT, b("open")); // still open: an orphan; the mount stops without releasing it
        }
        try (Cask cask = Cask.open(tmp.resolve("db"))) {
            CaskFileSystem.load(cask, 0, 0, log::add);
            assertThat(log).anyMatch(l -> l.contains("freed 1 unlinked inodes"));
            assertThat(cask.size()).isEqualTo(2);
        }
    }

    @Test
    void chunksPastTheEndLeftByACutShortTruncateAreFreedAtMount() {
        long ino;
        try (Cask cask = Cask.open(tmp.resolve("db")); Arena arena = Arena.ofConfined()) {
            CaskFileSystem fs = CaskFileSystem.load(cask, 0, 0, log::add);
            long[] fh = new long[1];
            MemorySegment x = arena.allocate(1).fill((byte) 'x');
            Attr f = fs.create(ROOT, CaskFileSystem.ROOT, b("f"), 0644, 0, fh);
            ino = f.ino();
            fs.write(ino, fh[0], 0, x);
            fs.write(ino, fh[0], 10L * CaskFileSystem.CHUNK_SIZE, x);
            // what a crash between a truncate's first batch and the rest leaves: the inode is short, a chunk lies past it
            Inode n = InodeCodec.decode(ino, cask.get(FsKeys.inode(ino)));
            n.size = 1;
            cask.put(FsKeys.inode(ino), InodeCodec.encode(n));
        }
        try (Cask cask = Cask.open(tmp.resolve("db"))) {
            CaskFileSystem fs = CaskFileSystem.load(cask, 0, 0, log::add);
            assertThat(cask.get(FsKeys.chunk(ino, 10))).isNull();
            assertThat(fs.getattr(ino).blocks()).isEqualTo(1);
            assertThat(log).anyMatch(l -> l.contains("freed the chunks past the end of 1 file"));
        }
    }
}

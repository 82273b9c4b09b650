package dev.cask.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cask.core.Cask;
import dev.cask.core.CaskOptions;
import dev.cask.testkit.FaultyFileLayer;
import dev.cask.core.MergeResult;
import dev.cask.fs.fuse.Attr;
import dev.cask.fs.fuse.Caller;
import dev.cask.fs.fuse.Errno;
import dev.cask.fs.fuse.SetAttr;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The filesystem's logic on a real Cask database, called directly where a mount would only add the kernel. */
class CaskFileSystemTest {
    private static final Caller ROOT = new Caller(0, 0, 1);

    @TempDir
    Path tmp;

    private final List<String> log = new ArrayList<>();

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aDirectoryOf100000EntriesListsEachOnceAcrossSmallRepliesWhileItChanges() {
        try (Cask cask = Cask.open(tmp.resolve("db"))) {
            CaskFileSystem fs = CaskFileSystem.load(cask, 0, 0, log::add);
            Attr d = fs.mkdir(ROOT, CaskFileSystem.ROOT, b("big"), 0755);
            long[] fh = new long[1];
            for (int i = 0; i < 100_000; i++) fs.create(ROOT, d.ino(), b("f" + i), 0644, 0, fh);
            for (int i = 0; i < 100_000; i += 997) assertThat(fs.lookup(ROOT, d.ino(), b("f" + i)).size()).isZero();
            Map<String, Integer> seen = new HashMap<>();
            long offset = 0;
            int calls = 0;
            Random r = new Random(3);
            List<String> live = new ArrayList<>();
            while (true) {
                List<Long> next = new ArrayList<>();
                int[] room = {100};
                fs.readdir(d.ino(), 0, offset, false, (name, attr, nextOffset) -> {
                    if (room[0]-- == 0) return false;
                    seen.merge(new String(name, StandardCharsets.UTF_8), 1, Integer::sum);
                    next.add(nextOffset);
                    return true;
                });
                if (next.isEmpty()) break;
                offset = next.getLast();
                calls++;
                // churn between replies: new names come and go; the original 100,000 stay
                fs.create(ROOT, d.ino(), b("new" + calls), 0644, 0, fh);
                live.add("new" + calls);
                if (r.nextBoolean()) fs.unlink(ROOT, d.ino(), b(live.remove(r.nextInt(live.size()))));
            }
            for (int i = 0; i < 100_000; i++) assertThat(seen.get("f" + i)).as("f" + i).isEqualTo(1);
            assertThat(seen.get(".")).isEqualTo(1);
            assertThat(seen.get("..")).isEqualTo(1);
            assertThat(seen.values()).allMatch(n -> n == 1);
            assertThat(calls).isGreaterThan(1000);
        }
    }

    @Test
    void holesReadAsZerosAndATruncateCutsTheLastChunkSoGrowingAgainShowsZeros() {
        try (Cask cask = Cask.open(tmp.resolve("db")); Arena arena = Arena.ofConfined()) {
            CaskFileSystem fs = CaskFileSystem.load(cask, 0, 0, log::add);
            long[] fh = new long[1];
            Attr f = fs.create(ROOT, CaskFileSystem.ROOT, b("f"), 0644, 0, fh);
            MemorySegment data = arena.allocate(10);
            data.fill((byte) 7);
            long far = 5L * CaskFileSystem.CHUNK_SIZE + 100;
            fs.write(f.ino(), fh[0], far, data);
            fs.write(f.ino(), fh[0], 0, data);
            assertThat(fs.getattr(f.ino()).size()).isEqualTo(far + 10);
            MemorySegment back = arena.allocate(far + 10);
            back.fill((byte) 1);
            assertThat(fs.read(f.ino(), fh[0], 0, back)).isEqualTo((int) (far + 10));
            for (long i = 0; i < far + 10; i++) {
                byte want = i < 10 || i >= far ? (byte) 7 : 0;
                if (back.get(ValueLayout.JAVA_BYTE, i) != want) throw new AssertionError("byte " + i);
            }
            assertThat(chunks(cask, f.ino())).isEqualTo(2); // the hole between costs nothing
            assertThat(fs.getattr(f.ino()).blocks()).as("512-byte blocks held: 10 and 110 bytes").isEqualTo(2);
            fs.setattr(ROOT, f.ino(), new SetAttr(SetAttr.SIZE, 0, 0, 0, 5, 0, 0));
            fs.setattr(ROOT, f.ino(), new SetAttr(SetAttr.SIZE, 0, 0, 0, 10, 0, 0));
            MemorySegment ten = arena.allocate(10);
            fs.read(f.ino(), fh[0], 0, ten);
            assertThat(ten.toArray(ValueLayout.JAVA_BYTE)).containsExactly(7, 7, 7, 7, 7, 0, 0, 0, 0, 0);
            assertThat(chunks(cask, f.ino())).isEqualTo(1);
            MemorySegment whole = arena.allocate(3L * CaskFileSystem.CHUNK_SIZE);
            fs.write(f.ino(), fh[0], CaskFileSystem.CHUNK_SIZE, whole);
            fs.fallocate(f.ino(), fh[0], 3, CaskFileSystem.CHUNK_SIZE * 2L, CaskFileSystem.CHUNK_SIZE); // punch chunk 2
            long held = fs.getattr(f.ino()).blocks();
            assertThat(held).isEqualTo(1 + 2L * CaskFileSystem.CHUNK_SIZE / 512);
            CaskFileSystem reloaded = CaskFileSystem.load(cask, 0, 0, log::add);
            assertThat(reloaded.getattr(f.ino()).blocks()).as("counted again at load").isEqualTo(held);
        }
    }

    @Test
    void aOneByteWriteRewritesOneChunkAndMergeReclaimsOverwrittenChunks() {
        CaskOptions options = CaskOptions.defaults().withMaxFileSize(4 << 20).withAutoMerge(false, 0.5, 1);
        try (Cask cask = Cask.open(tmp.resolve("db"), options); Arena arena = Arena.ofConfined()) {
            CaskFileSystem fs = CaskFileSystem.load(cask, 0, 0, log::add);
            long[] fh = new long[1];
            Attr f = fs.create(ROOT, CaskFileSystem.ROOT, b("f"), 0644, 0, fh);
            MemorySegment mib = arena.allocate(1 << 20);
            for (int i = 0; i < 8; i++) fs.write(f.ino(), fh[0], (long) i << 20, mib);
            long before = cask.stats().liveBytes() + cask.stats().deadBytes();
            fs.write(f.ino(), fh[0], 12345, mib.asSlice(0, 1));
            long grew = cask.stats().liveBytes() + cask.stats().deadBytes() - before;
            assertThat(grew).as("bytes appended for a 1-byte write").isBetween((long) CaskFileSystem.CHUNK_SIZE, 2L * CaskFileSystem.CHUNK_SIZE);
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < 8; i++) fs.write(f.ino(), fh[0], (long) i << 20, mib);
            }
            assertThat(cask.stats().deadBytes()).isGreaterThan(30L << 20);
            long diskBefore = du(tmp.resolve("db"));
            MergeResult merged = cask.merge();
            assertThat(merged.inputBytes()).isGreaterThan(merged.outputBytes());
            assertThat(du(tmp.resolve("db"))).isLessThan(diskBefore - (20L << 20));
            MemorySegment back = arena.allocate(1 << 20);
            assertThat(fs.read(f.ino(), fh[0], 7L << 20, back)).isEqualTo(1 << 20);
        }
    }

    @Test
    void aFullDiskAnswersEnospcAndChangesNothing() {
        FaultyFileLayer layer = new FaultyFileLayer();
        Path db = tmp.resolve("db");
        Cask cask = Cask.open(db, CaskOptions.defaults().withFileLayer(layer));
        CaskFileSystem fs = CaskFileSystem.load(cask, 0, 0, log::add);
        long[] fh = new long[1];
        long ino = fs.create(ROOT, CaskFileSystem.ROOT, b("f"), 0644, 0, fh).ino();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment small = arena.allocate(100);
            small.fill((byte) 9);
            fs.write(ino, fh[0], 0, small);
            Attr before = fs.getattr(ino);
            layer.spaceLeft.set(1000);
            MemorySegment big = arena.allocate(200_000);
            assertThatThrownBy(() -> fs.write(ino, fh[0], 0, big)).isInstanceOfSatisfying(Errno.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOSPC));
            assertThatThrownBy(() -> fs.mkdir(ROOT, CaskFileSystem.ROOT, b("d"), 0755)).isInstanceOf(Errno.class);
            assertThat(fs.getattr(ino)).isEqualTo(before);
            assertThatThrownBy(() -> fs.lookup(ROOT, CaskFileSystem.ROOT, b("d"))).isInstanceOfSatisfying(Errno.class,
                    e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
        }
        cask.close();
        assertThat(log).anyMatch(l -> l.contains("ENOSPC"));
        try (Cask again = Cask.open(db); Arena arena = Arena.ofConfined()) {
            CaskFileSystem reopened = CaskFileSystem.load(again, 0, 0, log::add);
            assertThat(reopened.getattr(ino).size()).isEqualTo(100);
            MemorySegment back = arena.allocate(100);
            reopened.read(ino, 0, 0, back);
            for (byte x : back.toArray(ValueLayout.JAVA_BYTE)) assertThat(x).isEqualTo((byte) 9);
        }
    }

    @Test
    void inodeNumbersAreNeverReusedAcrossRemounts() {
        Set<Long> used = new HashSet<>();
        for (int mount = 0; mount < 3; mount++) {
            try (Cask cask = Cask.open(tmp.resolve("db"))) {
                CaskFileSystem fs = CaskFileSystem.load(cask, 0, 0, log::add);
                long[] fh = new long[1];
                for (int i = 0; i < 10; i++) {
                    Attr a = fs.create(ROOT, CaskFileSystem.ROOT, b("m" + mount + "-" + i), 0644, 0, fh);
                    assertThat(used.add(a.ino())).as("inode " + a.ino() + " reused").isTrue();
                    if (i % 2 == 0) fs.unlink(ROOT, CaskFileSystem.ROOT, b("m" + mount + "-" + i));
                }
            }
        }
    }

    @Test
    void aDatabaseHoldingOtherKeysIsRefused() {
        try (Cask cask = Cask.open(tmp.resolve("db"))) {
            cask.put(b("user-key"), b("v"));
            assertThatThrownBy(() -> CaskFileSystem.load(cask, 0, 0, log::add)).hasMessageContaining("not a cask filesystem");
        }
    }

    private static long chunks(Cask cask, long ino) {
        long[] n = {0};
        cask.forEachKey(k -> {
            if (k[0] == FsKeys.CHUNK && FsKeys.ino(k) == ino) n[0]++;
        });
        return n[0];
    }

    private static long du(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}

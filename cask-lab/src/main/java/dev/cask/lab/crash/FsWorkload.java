package dev.cask.lab.crash;

import dev.cask.core.Cask;
import dev.cask.core.CaskOptions;
import dev.cask.fs.CaskFileSystem;
import dev.cask.fs.fuse.Attr;
import dev.cask.fs.fuse.Caller;
import dev.cask.fs.fuse.SetAttr;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code fs} workload: {@code cask mount}'s own code (create, write, mkdir, rename, unlink of an
 * open file, truncate, rmdir, fsync), called as the kernel would call it, on the engine through the
 * recording layer. The model is the tree as a user sees it (a file's path to its content, a
 * directory's path with a slash to {@code <dir>}), acknowledged after each operation; after a crash
 * the filesystem is loaded (its own recovery included) and its tree must be an allowed state.
 */
final class FsWorkload {
    private static final Caller ROOT = new Caller(0, 0, 1);
    private static final String DIR = "<dir>";
    private static final int S_IFDIR = 0040000;
    private static final int S_IFMT = 0170000;

    private FsWorkload() {}

    static void record(Path root, RecordingLayer layer, CaskOptions options, Runnable armFaults) {
        Map<String, String> model = new TreeMap<>();
        try (Cask cask = Cask.open(root.resolve("db"), options); Arena arena = Arena.ofConfined()) {
            CaskFileSystem fs = CaskFileSystem.load(cask, 0, 0, line -> { });
            cask.awaitBackgroundWork();
            armFaults.run();
            long[] fh = new long[1];
            step(layer, model, "create a", () -> fs.create(ROOT, CaskFileSystem.ROOT, b("a"), 0644, 0, fh), "a", "");
            long a = fs.lookup(ROOT, CaskFileSystem.ROOT, b("a")).ino();
            long aHandle = fh[0];
            step(layer, model, "write a", () -> fs.write(a, aHandle, 0, arena.allocateFrom("hello", StandardCharsets.US_ASCII).asSlice(0, 5)), "a", "hello");
            step(layer, model, "fsync a", () -> fs.fsync(a, aHandle, false), "a", "hello");
            layer.add(new RecordingLayer.Op.Synced("fsync a")); // fsync's promise, whatever the policy
            step(layer, model, "mkdir d", () -> fs.mkdir(ROOT, CaskFileSystem.ROOT, b("d"), 0755), "d/", DIR);
            long d = fs.lookup(ROOT, CaskFileSystem.ROOT, b("d")).ino();
            step(layer, model, "create d/b", () -> fs.create(ROOT, d, b("b"), 0644, 0, fh), "d/b", "");
            long bIno = fs.lookup(ROOT, d, b("b")).ino();
            long bHandle = fh[0];
            step(layer, model, "write d/b", () -> fs.write(bIno, bHandle, 0, arena.allocateFrom("bee", StandardCharsets.US_ASCII).asSlice(0, 3)), "d/b", "bee");
            step(layer, model, "release d/b", () -> fs.release(bIno, bHandle), "d/b", "bee");
            model.remove("d/b");
            step(layer, model, "rename d/b c", () -> fs.rename(ROOT, d, b("b"), CaskFileSystem.ROOT, b("c"), 0), "c", "bee");
            model.remove("a");
            step(layer, model, "unlink a while open", () -> fs.unlink(ROOT, CaskFileSystem.ROOT, b("a")), null, null);
            step(layer, model, "write the unlinked a", () -> fs.write(a, aHandle, 5, arena.allocateFrom("!", StandardCharsets.US_ASCII).asSlice(0, 1)), null, null);
            step(layer, model, "release the unlinked a", () -> fs.release(a, aHandle), null, null);
            step(layer, model, "truncate c", () -> fs.setattr(ROOT, fs.lookup(ROOT, CaskFileSystem.ROOT, b("c")).ino(), new SetAttr(SetAttr.SIZE, 0, 0, 0, 1, 0, 0)),
                    "c", "b");
            model.remove("d/");
            step(layer, model, "rmdir d", () -> fs.rmdir(ROOT, CaskFileSystem.ROOT, b("d")), null, null);
            step(layer, model, "fsyncdir /", () -> fs.fsyncdir(CaskFileSystem.ROOT, 0), null, null);
            layer.add(new RecordingLayer.Op.Synced("fsyncdir /"));
        } catch (RuntimeException refused) {
            // after an injected failure: the recording up to it stands
        }
    }

    private interface Op {
        void run();
    }

    /** Runs one operation and, if the filesystem took it, acknowledges the model with {@code path} set to {@code content}. */
    private static void step(RecordingLayer layer, Map<String, String> model, String what, Op op, String path, String content) {
        Map<String, String> next = new TreeMap<>(model);
        if (path != null) next.put(path, content);
        try {
            op.run();
        } catch (RuntimeException refused) { // after an injected failure: its fate is unknown, and the workload stops
            layer.add(new RecordingLayer.Op.Attempt(Map.copyOf(next), what + " refused: " + refused.getMessage()));
            throw refused;
        }
        model.clear();
        model.putAll(next);
        layer.ack(model, what);
    }

    /** The tree of the filesystem in {@code db}, as a user would list and read it. */
    static Map<String, String> read(Path db, CaskOptions options) {
        Map<String, String> out = new TreeMap<>();
        try (Cask cask = Cask.open(db, options); Arena arena = Arena.ofConfined()) {
            CaskFileSystem fs = CaskFileSystem.load(cask, 0, 0, line -> { });
            walk(fs, CaskFileSystem.ROOT, "", out, arena);
            cask.awaitBackgroundWork();
        }
        return out;
    }

    private static void walk(CaskFileSystem fs, long dir, String prefix, Map<String, String> out, Arena arena) {
        List<Object[]> children = new ArrayList<>();
        long fh = fs.opendir(ROOT, dir);
        fs.readdir(dir, fh, 0, false, (name, attr, next) -> {
            String n = new String(name, StandardCharsets.UTF_8);
            if (!n.equals(".") && !n.equals("..")) children.add(new Object[] {n, attr});
            return true;
        });
        fs.releasedir(dir, fh);
        for (Object[] child : children) {
            String name = prefix + child[0];
            Attr attr = (Attr) child[1];
            if ((attr.mode() & S_IFMT) == S_IFDIR) {
                out.put(name + "/", DIR);
                walk(fs, attr.ino(), name + "/", out, arena);
            } else {
                long handle = fs.open(ROOT, attr.ino(), 0);
                MemorySegment into = arena.allocate(Math.max(1, attr.size()));
                int n = fs.read(attr.ino(), handle, 0, into.asSlice(0, attr.size()));
                fs.release(attr.ino(), handle);
                out.put(name, new String(into.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            }
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

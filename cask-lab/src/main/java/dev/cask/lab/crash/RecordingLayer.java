package dev.cask.lab.crash;

import dev.cask.core.io.DataFile;
import dev.cask.core.io.ForwardingDataFile;
import dev.cask.core.io.ForwardingFileLayer;
import dev.cask.core.io.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The real file layer, recording every operation that changes what is on disk, in order, with
 * paths relative to a root. Workloads add {@link Op.Ack} markers when the engine acknowledged
 * something as durable; crash states are built from the recording afterwards.
 */
public final class RecordingLayer extends ForwardingFileLayer {
    /** One recorded operation. */
    public sealed interface Op {
        record Create(String path) implements Op {}
        record Write(String path, long position, byte[] bytes) implements Op {}
        /** A truncate or an extend: the file now has {@code size} bytes, zeros past what it had. */
        record Resize(String path, long size) implements Op {}
        record Force(String path) implements Op {}
        record Rename(String from, String to) implements Op {}
        record Link(String existing, String link) implements Op {}
        record Delete(String path) implements Op {}
        record SyncDir(String dir) implements Op {}
        /** The workload's model after an acknowledged operation: every key and its value. */
        record Ack(Map<String, String> state, String what) implements Op {}
    }

    private final Path root;
    private final List<Op> ops = Collections.synchronizedList(new ArrayList<>());

    public RecordingLayer(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public List<Op> ops() {
        synchronized (ops) {
            return List.copyOf(ops);
        }
    }

    public void ack(Map<String, String> state, String what) {
        ops.add(new Op.Ack(Map.copyOf(state), what));
    }

    private String rel(Path p) {
        return root.relativize(p.toAbsolutePath().normalize()).toString();
    }

    @Override
    public DataFile open(Path path, OpenMode mode) throws IOException {
        if (mode.writable() && !Files.exists(path)) ops.add(new Op.Create(rel(path)));
        String name = rel(path);
        return new ForwardingDataFile(super.open(path, mode)) {
            @Override
            public void write(ByteBuffer src, long position) throws IOException {
                byte[] bytes = new byte[src.remaining()];
                src.duplicate().get(bytes);
                super.write(src, position);
                ops.add(new Op.Write(name, position, bytes));
            }

            @Override
            public void force(boolean metadata) throws IOException {
                super.force(metadata);
                ops.add(new Op.Force(name));
            }

            @Override
            public void truncate(long size) throws IOException {
                super.truncate(size);
                ops.add(new Op.Resize(name, size));
            }

            @Override
            public void extend(long size) throws IOException {
                super.extend(size);
                ops.add(new Op.Resize(name, size));
            }
        };
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
        super.rename(source, target);
        ops.add(new Op.Rename(rel(source), rel(target)));
    }

    @Override
    public void link(Path existing, Path link) throws IOException {
        super.link(existing, link);
        ops.add(new Op.Link(rel(existing), rel(link)));
    }

    @Override
    public void delete(Path path) throws IOException {
        boolean existed = Files.exists(path);
        super.delete(path);
        if (existed) ops.add(new Op.Delete(rel(path)));
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        super.syncDirectory(dir);
        ops.add(new Op.SyncDir(rel(dir)));
    }
}

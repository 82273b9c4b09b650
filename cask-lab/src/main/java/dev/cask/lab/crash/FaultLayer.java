package dev.cask.lab.crash;

import dev.cask.core.io.DataFile;
import dev.cask.core.io.FileLayer;
import dev.cask.core.io.ForwardingDataFile;
import dev.cask.core.io.ForwardingFileLayer;
import dev.cask.core.io.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The real file layer with one injected failure: the Nth write, force, rename, unlink or
 * directory sync (counted together from when it is armed) fails with EIO or ENOSPC, as the
 * kernel reports them. Nothing of the failed call happens. {@link #calls} counts what a run
 * offers, so the lab can fail each call in turn; the recording layer above notes the failure.
 */
final class FaultLayer extends ForwardingFileLayer {
    enum Kind {
        EIO("Input/output error"),
        ENOSPC("No space left on device");

        final String message;

        Kind(String message) {
            this.message = message;
        }
    }

    private final int failAt;
    private final Kind kind;
    private volatile boolean armed;
    private int calls;

    /** {@code failAt} 0 fails nothing (a counting run). */
    FaultLayer(FileLayer below, int failAt, Kind kind) {
        super(below);
        this.failAt = failAt;
        this.kind = kind;
    }

    void arm() {
        armed = true;
    }

    synchronized int calls() {
        return calls;
    }

    private void step(String what) throws IOException {
        if (!armed) return;
        synchronized (this) {
            if (++calls != failAt) return;
        }
        throw new IOException(kind.message + " (injected at " + what + ")");
    }

    @Override
    public DataFile open(Path path, OpenMode mode) throws IOException {
        String name = path.getFileName().toString();
        return new ForwardingDataFile(super.open(path, mode)) {
            @Override
            public void write(ByteBuffer src, long position) throws IOException {
                step("write " + name);
                super.write(src, position);
            }

            @Override
            public void force(boolean metadata) throws IOException {
                step("force " + name);
                super.force(metadata);
            }
        };
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
        step("rename " + source.getFileName());
        super.rename(source, target);
    }

    @Override
    public void delete(Path path) throws IOException {
        step("unlink " + path.getFileName());
        super.delete(path);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        step("syncdir " + dir.getFileName());
        super.syncDirectory(dir);
    }
}

package dev.cask.lab.crash;

import dev.cask.core.io.DataFile;
import dev.cask.core.io.ForwardingDataFile;
import dev.cask.core.io.ForwardingFileLayer;
import dev.cask.core.io.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** The real file layer until its Nth changing operation, which (and everything after it) fails as if the process died. */
final class CrashingLayer extends ForwardingFileLayer {
    private final int crashAt;
    private int count;

    CrashingLayer(int crashAt) {
        this.crashAt = crashAt;
    }

    private synchronized void step(String what) throws IOException {
        if (++count >= crashAt) throw new IOException("simulated crash during recovery, at " + what);
    }

    @Override
    public DataFile open(Path path, OpenMode mode) throws IOException {
        if (mode.writable()) step("open " + path.getFileName());
        return new ForwardingDataFile(super.open(path, mode)) {
            @Override
            public void write(ByteBuffer src, long position) throws IOException {
                step("write");
                super.write(src, position);
            }

            @Override
            public void force(boolean metadata) throws IOException {
                step("force");
                super.force(metadata);
            }

            @Override
            public void truncate(long size) throws IOException {
                step("truncate");
                super.truncate(size);
            }

            @Override
            public void extend(long size) throws IOException {
                step("extend");
                super.extend(size);
            }
        };
    }

    @Override
    public void rename(Path s, Path t) throws IOException {
        step("rename");
        super.rename(s, t);
    }

    @Override
    public void link(Path e, Path l) throws IOException {
        step("link");
        super.link(e, l);
    }

    @Override
    public void delete(Path p) throws IOException {
        step("delete");
        super.delete(p);
    }

    @Override
    public void syncDirectory(Path d) throws IOException {
        step("syncdir");
        super.syncDirectory(d);
    }
}

package dev.cask.lab.crash;

import dev.cask.core.io.DataFile;
import dev.cask.core.io.FileLayer;
import dev.cask.core.io.OpenMode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/** The real file layer until its Nth changing operation, which (and everything after it) fails as if the process died. */
final class CrashingLayer implements FileLayer {
    private final FileLayer real = FileLayer.real();
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
        DataFile file = real.open(path, mode);
        return new DataFile() {
            public void write(ByteBuffer src, long position) throws IOException {
                step("write");
                file.write(src, position);
            }

            public int read(ByteBuffer dst, long position) throws IOException {
                return file.read(dst, position);
            }

            public void force(boolean metadata) throws IOException {
                step("force");
                file.force(metadata);
            }

            public void truncate(long size) throws IOException {
                step("truncate");
                file.truncate(size);
            }

            public long size() throws IOException {
                return file.size();
            }

            public MemorySegment map(long offset, long length, Arena arena) throws IOException {
                return file.map(offset, length, arena);
            }

            public void close() throws IOException {
                file.close();
            }
        };
    }

    public List<String> list(Path dir) throws IOException {
        return real.list(dir);
    }

    public void rename(Path s, Path t) throws IOException {
        step("rename");
        real.rename(s, t);
    }

    public void link(Path e, Path l) throws IOException {
        step("link");
        real.link(e, l);
    }

    public void delete(Path p) throws IOException {
        step("delete");
        real.delete(p);
    }

    public void syncDirectory(Path d) throws IOException {
        step("syncdir");
        real.syncDirectory(d);
    }

    public void createDirectories(Path d) throws IOException {
        real.createDirectories(d);
    }
}

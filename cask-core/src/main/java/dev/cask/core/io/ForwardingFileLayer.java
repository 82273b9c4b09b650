package dev.cask.core.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link FileLayer} that passes every call to another (by default the real one); tests and the
 * labs override only what they intercept, and wrap opened files with {@link ForwardingDataFile}.
 */
public class ForwardingFileLayer implements FileLayer {
    protected final FileLayer delegate;

    public ForwardingFileLayer() {
        this(FileLayer.real());
    }

    public ForwardingFileLayer(FileLayer delegate) {
        this.delegate = delegate;
    }

    @Override
    public DataFile open(Path path, OpenMode mode) throws IOException {
        return delegate.open(path, mode);
    }

    @Override
    public List<String> list(Path dir) throws IOException {
        return delegate.list(dir);
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
        delegate.rename(source, target);
    }

    @Override
    public void link(Path existing, Path link) throws IOException {
        delegate.link(existing, link);
    }

    @Override
    public void delete(Path path) throws IOException {
        delegate.delete(path);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        delegate.syncDirectory(dir);
    }

    @Override
    public long usableSpace(Path dir) throws IOException {
        return delegate.usableSpace(dir);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        delegate.createDirectories(dir);
    }
}

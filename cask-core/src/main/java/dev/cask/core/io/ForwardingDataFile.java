package dev.cask.core.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/** A {@link DataFile} that passes every call to another; wrappers override only what they intercept. */
public class ForwardingDataFile implements DataFile {
    protected final DataFile delegate;

    public ForwardingDataFile(DataFile delegate) {
        this.delegate = delegate;
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
        delegate.write(src, position);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return delegate.read(dst, position);
    }

    @Override
    public void force(boolean metadata) throws IOException {
        delegate.force(metadata);
    }

    @Override
    public void truncate(long size) throws IOException {
        delegate.truncate(size);
    }

    @Override
    public void extend(long size) throws IOException {
        delegate.extend(size);
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public MemorySegment map(long offset, long length, Arena arena) throws IOException {
        return delegate.map(offset, length, arena);
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}

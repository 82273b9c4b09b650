package dev.cask.lab;

import java.io.IOException;
import java.nio.ByteBuffer;

/** What the raw writer writes through: the real disk, or the power-cut model. */
public interface LabFile extends AutoCloseable {
    void write(ByteBuffer src, long position) throws IOException;

    /** fsync when {@code metadata}, else fdatasync. */
    void force(boolean metadata) throws IOException;

    @Override
    void close() throws IOException;
}

package dev.cask.core;

import dev.cask.core.io.DataFile;
import dev.cask.core.io.FileLayer;
import dev.cask.core.io.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** Keeps a copy of bytes that recovery or repair is about to cut, in {@code lost+found}. */
final class TailCopies {
    private static final int CHUNK = 1 << 20;

    private TailCopies() {}

    /** Copies {@code [from, to)} of {@code source} into lost+found and returns the copy's path. */
    static Path keep(FileLayer files, Path dir, Path sourcePath, DataFile source, long from, long to) throws IOException {
        Path lostAndFound = dir.resolve(SegmentNames.LOST_AND_FOUND);
        files.createDirectoriesDurably(lostAndFound);
        Path copy = lostAndFound.resolve(sourcePath.getFileName() + "." + from + "-" + to + "." + System.currentTimeMillis());
        try (DataFile out = files.open(copy, OpenMode.WRITE)) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(1, to - from)));
            for (long at = from; at < to; ) {
                buf.clear().limit((int) Math.min(buf.capacity(), to - at));
                int n = source.read(buf, at);
                if (n <= 0) break;
                buf.flip();
                out.write(buf, at - from);
                at += n;
            }
            out.force(true);
        }
        files.syncDirectory(lostAndFound);
        return copy;
    }
}

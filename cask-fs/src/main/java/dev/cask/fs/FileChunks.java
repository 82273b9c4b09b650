package dev.cask.fs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.cask.core.Cask;
import dev.cask.core.WriteBatch;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A regular file's content as records of {@link #SIZE} bytes ('C' keys). A chunk holds the
 * file's bytes up to the end of the last write inside it, so it may be short; missing chunks and
 * bytes past a short chunk's end read as zeros. Changes are added to the caller's batch, so they
 * become visible together with the inode change that goes with them; each change returns how
 * many 512-byte blocks it adds to what the store holds for the file ({@code st_blocks}).
 */
final class FileChunks {
    static final int SIZE = 64 * 1024;

    private final Cask cask;

    FileChunks(Cask cask) {
        this.cask = cask;
    }

    /** Fills {@code into} with the file's bytes from {@code offset}; the caller has already cut it to the file's size. */
    void read(long ino, long offset, MemorySegment into) {
        ByteBuffer out = into.asByteBuffer();
        int length = (int) into.byteSize();
        int done = 0;
        while (done < length) {
            long at = offset + done;
            int within = (int) (at % SIZE);
            int take = Math.min(SIZE - within, length - done);
            out.limit(done + take).position(done);
            cask.read(FsKeys.chunk(ino, at / SIZE), within, out); // straight into the reply buffer
            int have = out.position() - done;
            if (have < take) into.asSlice(done + have, take - have).fill((byte) 0); // a hole, or past a short chunk
            done += take;
        }
    }

    /** The 512-byte blocks a chunk of {@code bytes} occupies. */
    static long blocks(long bytes) {
        return (bytes + 511) / 512;
    }

    /** The blocks the store holds for one chunk: its length from the keydir, no disk read. */
    long storedBlocks(byte[] key) {
        var entry = cask.metadata(key);
        return entry == null ? 0 : blocks(entry.valueSize());
    }

    /** Adds the chunks that {@code data} at {@code offset} changes: whole ones as they are, partial ones merged with what is stored. */
    long write(WriteBatch b, long ino, long offset, MemorySegment data) {
        int length = (int) data.byteSize();
        long delta = 0;
        int done = 0;
        while (done < length) {
            long at = offset + done;
            long index = at / SIZE;
            int within = (int) (at % SIZE);
            int take = Math.min(SIZE - within, length - done);
            byte[] key = FsKeys.chunk(ino, index);
            byte[] chunk;
            if (within == 0 && take == SIZE) {
                chunk = data.asSlice(done, take).toArray(JAVA_BYTE);
                delta += blocks(SIZE) - storedBlocks(key);
            } else {
                byte[] old = cask.get(key);
                chunk = old == null ? new byte[within + take] : Arrays.copyOf(old, Math.max(old.length, within + take));
                MemorySegment.copy(data, JAVA_BYTE, done, chunk, within, take);
                delta += blocks(chunk.length) - (old == null ? 0 : blocks(old.length));
            }
            b.put(key, chunk);
            done += take;
        }
        return delta;
    }

    /** Adds what makes a file of {@code oldSize} bytes end at {@code newSize}: later chunks deleted, the last one cut. */
    long truncate(WriteBatch b, long ino, long oldSize, long newSize) {
        if (newSize >= oldSize) return 0; // growing: the new bytes are a hole, which reads as zeros
        long delta = deleteFrom(b, ino, (newSize + SIZE - 1) / SIZE, oldSize);
        int within = (int) (newSize % SIZE);
        if (within != 0) { // cut, so that growing the file again shows zeros and not the old bytes
            byte[] last = cask.get(FsKeys.chunk(ino, newSize / SIZE));
            if (last != null && last.length > within) {
                b.put(FsKeys.chunk(ino, newSize / SIZE), Arrays.copyOf(last, within));
                delta += blocks(within) - blocks(last.length);
            }
        }
        return delta;
    }

    /** Adds what zeros [from, to): whole chunks are deleted (a hole), partial ones rewritten. */
    long zero(WriteBatch b, long ino, long from, long to) {
        long delta = 0;
        for (long at = from; at < to; ) {
            long index = at / SIZE;
            int within = (int) (at % SIZE);
            int take = (int) Math.min(SIZE - within, to - at);
            byte[] key = FsKeys.chunk(ino, index);
            if (within == 0 && take == SIZE) {
                delta -= delete(b, key);
            } else {
                byte[] old = cask.get(key);
                if (old != null && old.length > within) {
                    Arrays.fill(old, within, Math.min(old.length, within + take), (byte) 0);
                    b.put(key, old);
                }
            }
            at += take;
        }
        return delta;
    }

    /** Adds the deletion of every chunk a file of {@code size} bytes can have. */
    void deleteAll(WriteBatch b, long ino, long size) {
        deleteFrom(b, ino, 0, size);
    }

    private long deleteFrom(WriteBatch b, long ino, long first, long size) {
        long delta = 0;
        long end = (size + SIZE - 1) / SIZE;
        for (long i = first; i < end; i++) delta -= delete(b, FsKeys.chunk(ino, i));
        return delta;
    }

    /** Adds the deletion of one chunk if it is stored (a hole has no record); returns the blocks it held. */
    private long delete(WriteBatch b, byte[] key) {
        var entry = cask.metadata(key);
        if (entry == null) return 0;
        b.delete(key);
        return blocks(entry.valueSize());
    }
}

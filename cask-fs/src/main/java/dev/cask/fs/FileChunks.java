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
    /** The most chunks one batch deletes: freeing a file of millions of chunks is many bounded batches, never one huge one. */
    static final int FREE_BATCH = 4096;

    private final Cask cask;
    private final ChunkIndex index = new ChunkIndex();

    FileChunks(Cask cask) {
        this.cask = cask;
    }

    /** Records a chunk found in the store at mount. */
    void found(long ino, long chunkIndex) {
        index.add(ino, chunkIndex);
    }

    /** What one bounded deletion did: the blocks it freed, and whether stored chunks may remain past it. */
    record Freed(long blocks, boolean more) {}

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
            this.index.add(ino, index); // before the write: a failed write leaves a stale index, never an unknown chunk
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

    /**
     * Adds what makes a file of {@code oldSize} bytes end at {@code newSize}: the last chunk cut and
     * up to {@link #FREE_BATCH} later chunks deleted. If more remain, the caller deletes them with
     * {@link #freeFrom} after this batch is written; they lie past the new size, unseen, and a mount
     * frees any that a crash left (see {@link CaskFileSystem}).
     */
    long truncate(WriteBatch b, long ino, long oldSize, long newSize) {
        if (newSize >= oldSize) return 0; // growing: the new bytes are a hole, which reads as zeros
        long delta = -freeFrom(b, ino, firstPast(newSize)).blocks();
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

    /**
     * Adds what zeros [from, to): whole chunks are deleted (a hole), partial ones rewritten. The
     * whole chunks are found through the index, so punching a hole costs what the range stores.
     */
    long zero(WriteBatch b, long ino, long from, long to) {
        if (from >= to) return 0;
        long head = from / SIZE;
        long tail = (to - 1) / SIZE;
        if (head == tail) return zeroPart(b, ino, head, (int) (from % SIZE), (int) (to - from));
        long delta = 0;
        long firstWhole = head;
        if (from % SIZE != 0) {
            delta += zeroPart(b, ino, head, (int) (from % SIZE), (int) (SIZE - from % SIZE));
            firstWhole++;
        }
        long endWhole = tail + 1;
        if (to % SIZE != 0) {
            delta += zeroPart(b, ino, tail, 0, (int) (to % SIZE));
            endWhole--;
        }
        for (long next = firstWhole; next < endWhole; ) {
            long[] stored = index.from(ino, next, FREE_BATCH);
            if (stored.length == 0) break;
            for (long i : stored) {
                if (i >= endWhole) return delta;
                delta -= Math.max(0, delete(b, FsKeys.chunk(ino, i)));
                next = i + 1;
            }
        }
        return delta;
    }

    /** Zeros {@code take} bytes from {@code within} in one chunk (a whole chunk is deleted instead). */
    private long zeroPart(WriteBatch b, long ino, long chunkIndex, int within, int take) {
        byte[] key = FsKeys.chunk(ino, chunkIndex);
        if (within == 0 && take == SIZE) return -Math.max(0, delete(b, key));
        byte[] old = cask.get(key);
        if (old != null && old.length > within) {
            Arrays.fill(old, within, Math.min(old.length, within + take), (byte) 0);
            b.put(key, old);
        }
        return 0;
    }

    /** The first chunk index wholly past a file of {@code size} bytes. */
    static long firstPast(long size) {
        return (size + SIZE - 1) / SIZE;
    }

    /**
     * Adds the deletion of up to {@link #FREE_BATCH} stored chunks of {@code ino} from chunk
     * {@code first} on: work in proportion to the chunks stored, whatever the file's size.
     */
    Freed freeFrom(WriteBatch b, long ino, long first) {
        long blocks = 0;
        int deleted = 0;
        long from = first;
        while (deleted < FREE_BATCH) {
            long[] candidates = index.from(ino, from, FREE_BATCH);
            if (candidates.length == 0) return new Freed(blocks, false);
            for (long i : candidates) {
                from = i + 1;
                long freed = delete(b, FsKeys.chunk(ino, i));
                if (freed < 0) {
                    index.remove(ino, i); // stale: deleted earlier, or never written
                    continue;
                }
                blocks += freed;
                if (++deleted == FREE_BATCH) return new Freed(blocks, true);
            }
        }
        return new Freed(blocks, true);
    }

    /** Whether {@code ino} may store more than {@code n} chunks (a superset count: it can say yes for stale ones). */
    boolean mayStoreMoreThan(long ino, int n) {
        return index.from(ino, 0, n + 1).length > n;
    }

    /** The file is gone from the store: its index goes too. */
    void forget(long ino) {
        index.forget(ino);
    }

    /** Adds the deletion of one chunk if it is stored (a hole has no record); returns the blocks it held, or -1 if none is stored. */
    private long delete(WriteBatch b, byte[] key) {
        var entry = cask.metadata(key);
        if (entry == null) return -1;
        b.delete(key);
        return blocks(entry.valueSize());
    }
}

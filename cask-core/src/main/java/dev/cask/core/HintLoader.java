package dev.cask.core;

import dev.cask.core.io.DataFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Loads one hint file's entries into the keydir, with the decoding (reads, CRCs, key copies and
 * key hashes) on a second thread where the machine has a second core, while the opening thread
 * inserts (issue 18: hints load in parallel where cores allow). The keydir's inserts must stay in
 * one thread and in file order; the decoding was about a third of an open's time and overlaps
 * with them. Entries pass in batches through a small bounded queue, so memory stays flat however
 * large the hint.
 */
final class HintLoader {
    private static final int BUFFER = 1 << 20;
    private static final int BATCH = 8192;
    /** Smaller hints are decoded in the opening thread: a hand-over costs more than it saves. */
    private static final long PIPELINE_MIN_BYTES = 1 << 20;
    private static final boolean PIPELINE = Runtime.getRuntime().availableProcessors() > 1;

    /** One daemon thread for every database of this JVM: opens are rare, and one decoder keeps a core busy. */
    private static final ExecutorService DECODER = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("cask-hint-decoder").daemon().factory());

    /** Decoded entries; {@code end} once the hint is read: null if it was whole and valid, else why not. */
    private static final class Batch {
        final byte[][] keys = new byte[BATCH][];
        final long[] hashes = new long[BATCH];
        final long[] positions = new long[BATCH];
        final long[] valueSizes = new long[BATCH];
        final long[] expiries = new long[BATCH];
        int count;
        boolean last;
        String end;
        IOException error;
    }

    private HintLoader() {}

    /**
     * Applies the hint entries of {@code in} (from {@code firstEntry}, {@code size} bytes in all) to
     * {@code index}; returns null if the hint was whole and valid, else why not (a prefix may have
     * been applied: see {@link HintFiles#load}).
     */
    static String load(DataFile in, long size, long firstEntry, Segment segment, Index.BulkLoad index) throws IOException {
        if (!PIPELINE || size < PIPELINE_MIN_BYTES) {
            Batch last = decode(in, size, firstEntry, segment, new Batch(), full -> {
                apply(full, segment, index);
                return full;
            });
            apply(last, segment, index);
            if (last.error != null) throw last.error;
            return last.end;
        }
        BlockingQueue<Batch> filled = new ArrayBlockingQueue<>(4);
        BlockingQueue<Batch> free = new ArrayBlockingQueue<>(6);
        for (int i = 0; i < 6; i++) free.add(new Batch());
        AtomicBoolean cancelled = new AtomicBoolean();
        var decoding = DECODER.submit(() -> {
            Batch last = decode(in, size, firstEntry, segment, free.take(), full -> put(filled, full, cancelled) ? take(free, cancelled) : null);
            if (last != null) put(filled, last, cancelled);
            return null;
        });
        try {
            while (true) {
                Batch b = filled.take();
                apply(b, segment, index);
                if (b.last) {
                    if (b.error != null) throw b.error;
                    return b.end;
                }
                free.add(b);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while loading a hint of " + segment.path, e);
        } finally {
            cancelled.set(true);
            awaitDecoder(decoding); // the file closes after this: the decoder must be done with it
        }
    }

    /** Waits for the decoder to stop, through interrupts (kept for the caller): it may still be reading the file. */
    private static void awaitDecoder(java.util.concurrent.Future<?> decoding) {
        boolean interrupted = false;
        while (true) {
            try {
                decoding.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (java.util.concurrent.ExecutionException e) {
                break; // a failure of its own reached the caller in the last batch
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private interface Sink {
        /** Takes a full batch; returns the (empty) batch to fill next, or null if nobody consumes any more. */
        Batch full(Batch batch) throws InterruptedException;
    }

    /**
     * Reads and checks every entry, filling batches and handing each full one to {@code sink}; returns
     * the last batch, with {@code last} set and {@code end} (or {@code error}, if a read failed), or
     * null if the sink stopped consuming.
     */
    private static Batch decode(DataFile in, long size, long firstEntry, Segment segment, Batch first, Sink sink) {
        Batch batch = first;
        try {
            ByteBuffer buf = RecordCodec.allocate(BUFFER);
            long base = firstEntry;
            int pos = 0;
            int limit = 0;
            int entries = 0;
            while (true) {
                int length = HintCodec.check(buf, pos, limit);
                if (length == HintCodec.INVALID) {
                    // damage in the middle: before, this read on forever with a full buffer (an open that never returned)
                    batch.end = "entry " + entries + " at offset " + (base + pos) + " fails its CRC";
                    break;
                }
                if (length < 0) {
                    if (base + limit >= size) {
                        batch.end = "entry " + entries + " at offset " + (base + pos) + " is cut short or fails its CRC";
                        break;
                    }
                    buf.put(0, buf, pos, limit - pos);
                    base += pos;
                    limit -= pos;
                    pos = 0;
                    limit += in.read(buf.duplicate().position(limit).limit(buf.capacity()), base + limit);
                    continue;
                }
                if (HintCodec.isTrailer(buf, pos)) {
                    batch.end = trailerProblem(buf, pos, length, entries, base, size, segment);
                    break;
                }
                if (batch.count == BATCH) {
                    batch = sink.full(batch);
                    if (batch == null) return null;
                }
                int i = batch.count++;
                byte[] key = HintCodec.key(buf, pos);
                batch.keys[i] = key;
                batch.hashes[i] = KeyDir.hash(key);
                batch.valueSizes[i] = HintCodec.valueSize(buf, pos);
                batch.positions[i] = HintCodec.valuePosition(buf, pos);
                batch.expiries[i] = HintCodec.expiry(buf, pos);
                entries++;
                pos += length;
            }
        } catch (IOException e) {
            batch.error = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (RuntimeException e) {
            batch.error = new IOException("hint of " + segment.path + " could not be decoded: " + e, e);
        }
        batch.last = true;
        return batch;
    }

    private static String trailerProblem(ByteBuffer buf, int pos, int length, int entries, long base, long size, Segment segment) {
        if (HintCodec.trailerCount(buf, pos) != entries) return "trailer counts " + HintCodec.trailerCount(buf, pos) + " entries, found " + entries;
        if (HintCodec.trailerDataSize(buf, pos) != segment.size) {
            return "written for a data file of " + HintCodec.trailerDataSize(buf, pos) + " bytes, which now has " + segment.size;
        }
        if (base + pos + length != size) return "bytes follow its trailer";
        return null;
    }

    /** Applies a batch's entries in order and empties it. */
    private static void apply(Batch b, Segment segment, Index.BulkLoad index) {
        for (int i = 0; i < b.count; i++) {
            byte[] key = b.keys[i];
            long valueSize = b.valueSizes[i];
            if (valueSize == RecordCodec.TOMBSTONE) {
                index.delete(key, b.hashes[i]);
            } else {
                KeyDirEntry entry = new KeyDirEntry(segment.id, b.positions[i], (int) valueSize, b.expiries[i]);
                index.put(key, b.hashes[i], entry, segment, segment.recordLength(key.length, entry));
            }
            b.keys[i] = null;
        }
        b.count = 0;
    }

    private static Batch take(BlockingQueue<Batch> queue, AtomicBoolean cancelled) throws InterruptedException {
        while (!cancelled.get()) {
            Batch b = queue.poll(100, TimeUnit.MILLISECONDS);
            if (b != null) return b;
        }
        return null;
    }

    private static boolean put(BlockingQueue<Batch> queue, Batch batch, AtomicBoolean cancelled) {
        try {
            while (!cancelled.get()) {
                if (queue.offer(batch, 100, TimeUnit.MILLISECONDS)) return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }
}

package dev.cask.lab;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A model of a file on a disk with a volatile write cache. It keeps the bytes a force (or an
 * O_SYNC / O_DSYNC write) made durable apart from the writes made since. A power cut then keeps
 * only the durable image, or that plus a torn prefix of the pending writes, or a random subset of
 * them in any order: what a drive may really have persisted.
 */
public final class PowerCutFile implements LabFile {
    /** What survives of the writes that were not forced yet. */
    public enum Cut { DROP_PENDING, TORN_PREFIX, REORDERED_SUBSET }

    private static final int SECTOR = 512;
    private static final int PAGE = 4096;
    private byte[] durable;
    private long durableLength;
    private final List<long[]> pendingRanges = new ArrayList<>();
    private final List<byte[]> pendingBytes = new ArrayList<>();
    private final boolean synchronousWrites;

    /** A file whose first {@code preallocated} bytes are zeros already on disk. */
    public PowerCutFile(boolean synchronousWrites, long preallocated) {
        this.synchronousWrites = synchronousWrites;
        this.durable = new byte[(int) Math.max(1 << 16, preallocated)];
        this.durableLength = preallocated;
    }

    @Override
    public void write(ByteBuffer src, long position) {
        byte[] bytes = new byte[src.remaining()];
        src.get(bytes);
        if (synchronousWrites) {
            apply(position, bytes);
        } else {
            pendingRanges.add(new long[] {position});
            pendingBytes.add(bytes);
        }
    }

    @Override
    public void force(boolean metadata) {
        for (int i = 0; i < pendingBytes.size(); i++) apply(pendingRanges.get(i)[0], pendingBytes.get(i));
        pendingRanges.clear();
        pendingBytes.clear();
    }

    /** Writes made since the last force: what a power cut now may lose. */
    public long pendingWrites() {
        return pendingBytes.size();
    }

    private void apply(long position, byte[] bytes) {
        long end = position + bytes.length;
        if (end > durable.length) durable = Arrays.copyOf(durable, (int) Math.max(end, durable.length * 2L));
        System.arraycopy(bytes, 0, durable, (int) position, bytes.length);
        durableLength = Math.max(durableLength, end);
    }

    /** The file's content after a power cut now. */
    public byte[] afterCut(Cut cut, Random random) {
        byte[] image = Arrays.copyOf(durable, (int) durableLength);
        PowerCutFile survivor = new PowerCutFile(true, 0);
        survivor.durable = image;
        survivor.durableLength = image.length;
        switch (cut) {
            case DROP_PENDING -> { }
            case TORN_PREFIX -> {
                int whole = pendingBytes.isEmpty() ? 0 : random.nextInt(pendingBytes.size());
                for (int i = 0; i < whole; i++) survivor.apply(pendingRanges.get(i)[0], pendingBytes.get(i));
                if (whole < pendingBytes.size()) {
                    byte[] torn = pendingBytes.get(whole);
                    int sectors = random.nextInt(Math.max(1, torn.length / SECTOR));
                    survivor.apply(pendingRanges.get(whole)[0], Arrays.copyOf(torn, sectors * SECTOR));
                }
            }
            case REORDERED_SUBSET -> {
                for (int i = 0; i < pendingBytes.size(); i++) {
                    byte[] bytes = pendingBytes.get(i);
                    for (int at = 0; at < bytes.length; at += PAGE) { // each page reaches the platter or not, in any order
                        if (random.nextBoolean()) {
                            survivor.apply(pendingRanges.get(i)[0] + at, Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + PAGE)));
                        }
                    }
                }
            }
        }
        return Arrays.copyOf(survivor.durable, (int) survivor.durableLength);
    }

    @Override
    public void close() {
        // nothing to release: the model lives in memory
    }
}

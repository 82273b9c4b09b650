package dev.cask.core;

/** Sizes of one segment: live bytes still hold the newest version of a key; dead bytes do not. */
public record SegmentStats(int id, String file, long size, long liveBytes, boolean active) {
    public long deadBytes() {
        return size - liveBytes;
    }
}

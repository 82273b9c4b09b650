package dev.cask.core;

/**
 * Sizes of one segment: live bytes still hold the newest version of a key; dead bytes are records
 * that do not. The file's header ({@code headerBytes}) is neither.
 */
public record SegmentStats(int id, String file, long size, long headerBytes, long liveBytes, boolean active) {
    public long deadBytes() {
        return size - headerBytes - liveBytes;
    }
}

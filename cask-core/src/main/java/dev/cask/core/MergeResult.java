package dev.cask.core;

/**
 * What a merge did.
 *
 * @param inputSegments sealed segments read (and deleted)
 * @param outputSegments segments written (each with a hint file)
 * @param inputBytes bytes of the segments read
 * @param outputBytes bytes of the segments written
 * @param keysCopied live records copied
 * @param expiredDropped expired records dropped (their keys removed)
 * @param millis wall time
 * @param switchMillis of which the switch of the keydir to the new segments, in slices that writers wait between
 * @param finishedAtMillis when it finished, by the database's clock (epoch milliseconds)
 */
public record MergeResult(int inputSegments, int outputSegments, long inputBytes, long outputBytes, long keysCopied,
        long expiredDropped, long millis, double switchMillis, long finishedAtMillis) {
    public long reclaimedBytes() {
        return inputBytes - outputBytes;
    }
}

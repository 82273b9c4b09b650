package dev.cask.core;

import java.util.List;

/**
 * A snapshot of a database's size.
 *
 * @param keys keys in the keydir (expired ones that were not yet overwritten or merged count too)
 * @param expiredKeys of those, how many have expired
 * @param expiredBytes bytes of their records: counted as live until a merge drops them
 * @param fragmentation dead bytes / all bytes, 0 .. 1
 */
public record CaskStats(long keys, long expiredKeys, long expiredBytes, long liveBytes, long deadBytes, double fragmentation,
        String syncPolicy, List<SegmentStats> segments, List<String> foreignFiles) {}

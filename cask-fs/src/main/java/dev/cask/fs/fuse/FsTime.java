package dev.cask.fs.fuse;

import java.time.Instant;

/**
 * The filesystem's timestamps: one {@code long} of nanoseconds, counted from 2174-01-01 rather
 * than 1970. A signed 64-bit count of nanoseconds spans 584 years; from 1970 it would wrap after
 * 2262 ({@code touch -d 2300-01-01 f} showed 1715). Centred on 2174 it spans 1882 to 2466, which
 * holds every time ext4 can store (1901 to 2446). Times outside are clamped to the ends, never
 * wrapped. Comparisons and differences work on the count as they would on any nanosecond count.
 */
public final class FsTime {
    /** 2174-01-01T00:00:00Z in seconds since the Unix epoch. */
    static final long BASE_SECONDS = 6_437_664_000L;
    private static final long NANOS = 1_000_000_000L;
    private static final long MIN_SECONDS = BASE_SECONDS + Long.MIN_VALUE / NANOS + 1;
    private static final long MAX_SECONDS = BASE_SECONDS + Long.MAX_VALUE / NANOS - 1;

    private FsTime() {}

    /** The time of {@code seconds} and {@code nanos} since the Unix epoch (a {@code struct timespec}), clamped to the range. */
    public static long of(long seconds, long nanos) {
        if (seconds < MIN_SECONDS) return (MIN_SECONDS - BASE_SECONDS) * NANOS;
        if (seconds > MAX_SECONDS) return (MAX_SECONDS - BASE_SECONDS) * NANOS + NANOS - 1;
        return (seconds - BASE_SECONDS) * NANOS + Math.floorMod(nanos, NANOS) + Math.floorDiv(nanos, NANOS) * NANOS;
    }

    /** Now, by {@code clock} (the database's, so that tests and the engine agree on time). */
    public static long now(java.time.Clock clock) {
        Instant t = clock.instant();
        return of(t.getEpochSecond(), t.getNano());
    }

    /** Seconds since the Unix epoch. */
    public static long epochSeconds(long time) {
        return Math.floorDiv(time, NANOS) + BASE_SECONDS;
    }

    /** The nanoseconds within {@link #epochSeconds}. */
    public static long nanos(long time) {
        return Math.floorMod(time, NANOS);
    }

    /** A time stored by format version 1: nanoseconds since the Unix epoch. */
    public static long fromEpochNanos(long epochNanos) {
        return of(Math.floorDiv(epochNanos, NANOS), Math.floorMod(epochNanos, NANOS));
    }
}

package dev.cask.resp;

import java.util.Locale;

/**
 * Redis's {@code client-output-buffer-limit}: {@code <class> <hard> <soft> <soft seconds>}, one
 * group per client class. Cask has normal clients only (no replicas, no pub/sub) and one limit,
 * the hard one: a client whose unsent replies pass it is closed. The other classes are accepted
 * and have nothing to limit; a soft limit is refused rather than ignored.
 */
public final class OutputBufferLimit {
    private OutputBufferLimit() {}

    /** The hard limit for normal clients in {@code value} ({@code current} when it names no normal class); 0 means none, as in Redis. */
    public static long normalHardLimit(String value, long current) {
        String[] words = value.strip().split("\\s+");
        if (words.length == 0 || words.length % 4 != 0) {
            throw new IllegalArgumentException("expected groups of <class> <hard limit> <soft limit> <soft seconds>");
        }
        long hard = current;
        for (int i = 0; i < words.length; i += 4) {
            String cls = words[i].toLowerCase(Locale.ROOT);
            if (!cls.equals("normal") && !cls.equals("replica") && !cls.equals("slave") && !cls.equals("pubsub")) {
                throw new IllegalArgumentException("unknown client class '" + words[i] + "' (normal, replica or pubsub)");
            }
            long h = MemorySize.parse(words[i + 1]);
            long soft = MemorySize.parse(words[i + 2]);
            long seconds;
            try {
                seconds = Long.parseLong(words[i + 3]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("soft seconds '" + words[i + 3] + "' is not an integer", e);
            }
            if (cls.equals("normal")) {
                if (soft != 0 || seconds != 0) throw new IllegalArgumentException("Cask has no soft limit: give normal <hard> 0 0");
                hard = h == 0 ? Long.MAX_VALUE : h;
            }
        }
        return hard;
    }

    /** As CONFIG GET answers it. */
    public static String format(long hard) {
        return "normal " + (hard == Long.MAX_VALUE ? 0 : hard) + " 0 0 replica 0 0 0 pubsub 0 0 0";
    }
}

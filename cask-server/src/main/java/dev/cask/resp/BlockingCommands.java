package dev.cask.resp;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BZPOPMIN and BZPOPMAX: each first tries its non-blocking
 * form; when there is nothing to take, the client is parked in {@link Blocking} (or, inside EXEC,
 * answered nil at once, as Redis does). A parked command is tried again, whole, after every write
 * of a collection it waits for, and answered nil at its deadline.
 */
final class BlockingCommands {
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
    private static final BigDecimal MAX_MILLIS = BigDecimal.valueOf(Long.MAX_VALUE);
    private static final String NEGATIVE = "ERR timeout is negative";

    private BlockingCommands() {}

    /** Whether {@code spec} is one of the blocking commands. */
    static boolean isBlocking(CommandSpec spec) {
        return switch (spec) {
            case BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BZPOPMIN, BZPOPMAX -> true;
            default -> false;
        };
    }

    /**
     * The timeout argument (the last) in milliseconds, 0 for none; -1 after answering its error.
     * As Redis 7.0 converts it: seconds with a fraction, times 1000, truncated (so 0.0001 waits
     * for ever); a value past a 64-bit count of milliseconds (inf, 1e16) converts to a negative one.
     */
    static long timeoutMillis(Call c) {
        String text = c.text(c.size() - 1);
        String unsigned = text.startsWith("+") || text.startsWith("-") ? text.substring(1) : text;
        if (unsigned.equalsIgnoreCase("inf") || unsigned.equalsIgnoreCase("infinity")) {
            c.r.error(NEGATIVE);
            return -1;
        }
        BigDecimal seconds = StringCommands.parseFloat(text);
        if (seconds == null) {
            c.r.error("ERR timeout is not a float or out of range");
            return -1;
        }
        BigDecimal millis = seconds.multiply(THOUSAND).setScale(0, RoundingMode.DOWN);
        if (millis.signum() < 0 || millis.compareTo(MAX_MILLIS) > 0) {
            c.r.error(NEGATIVE);
            return -1;
        }
        return millis.longValueExact();
    }

    /**
     * Runs the command's non-blocking attempt: true when it answered (an element, or an error),
     * false, with nothing answered or written, when every key it waits for is empty.
     */
    static boolean attempt(CommandSpec spec, Call c) {
        int lastKey = c.size() - 2;
        return switch (spec) {
            case BLPOP -> ListCommands.popFirstOf(c, true, 1, lastKey);
            case BRPOP -> ListCommands.popFirstOf(c, false, 1, lastKey);
            case BZPOPMIN -> ZSetCommands.popFirstOf(c, false, 1, lastKey);
            case BZPOPMAX -> ZSetCommands.popFirstOf(c, true, 1, lastKey);
            case BRPOPLPUSH -> ListCommands.move(c, false, true);
            case BLMOVE -> {
                boolean[] d = ListCommands.directions(c);
                yield d == null || ListCommands.move(c, d[0], d[1]);
            }
            default -> throw new IllegalStateException("not a blocking command: " + spec);
        };
    }

    /** Checks what must be checked before the timeout (BLMOVE's directions): false after answering the error. */
    static boolean argumentsValid(CommandSpec spec, Call c) {
        return spec != CommandSpec.BLMOVE || ListCommands.directions(c) != null;
    }

    /** The stored metadata keys the command waits for: every key of a pop, the source of a move. */
    static List<ByteBuffer> keys(CommandSpec spec, Call c) {
        int last = spec == CommandSpec.BLMOVE || spec == CommandSpec.BRPOPLPUSH ? 1 : c.size() - 2;
        List<ByteBuffer> keys = new ArrayList<>();
        for (int i = 1; i <= last; i++) {
            ByteBuffer key = ByteBuffer.wrap(c.metaKey(i));
            if (!keys.contains(key)) keys.add(key);
        }
        return keys;
    }

    /** What a command answers when its timeout passed: a nil array, for the moves too (as Redis 7.0 answers them). */
    static void timedOut(Reply r) {
        r.nilArray();
    }

    /** What a command answers inside EXEC, where it never waits, with nothing to take: a nil array for the pops, a nil for the moves. */
    static void nothing(CommandSpec spec, Reply r) {
        if (spec == CommandSpec.BLMOVE || spec == CommandSpec.BRPOPLPUSH) r.nil();
        else r.nilArray();
    }
}

package dev.cask.resp;

/** Redis's expiry arguments as absolute times: ms since the epoch, or 0 or less when invalid (not positive, or overflowing). */
final class Expiry {
    private Expiry() {}

    /** EX seconds, PX milliseconds, EXAT unix-seconds, PXAT unix-milliseconds. */
    static long absolute(String unit, long n, long now) {
        if (n <= 0) return 0;
        try {
            return switch (unit) {
                case "EX" -> Math.addExact(now, Math.multiplyExact(n, 1000));
                case "PX" -> Math.addExact(now, n);
                case "EXAT" -> Math.multiplyExact(n, 1000);
                case "PXAT" -> n;
                default -> throw new IllegalArgumentException("unit " + unit);
            };
        } catch (ArithmeticException e) {
            return 0;
        }
    }
}

package dev.cask.resp;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * The x87 80-bit long double that Redis's INCRBYFLOAT computes in (a 64-bit significand), kept
 * exactly in a BigDecimal: each operand and each sum rounded to 64 significant bits, half to
 * even, as strtold and the FPU do, and printed as Redis prints it ({@code %.17Lf}, trailing zeros
 * cut). So 128 + 0.1 answers 128.10000000000000001, as Redis does, not 128.1.
 */
final class LongDouble {
    private static final int SIGNIFICAND_BITS = 64;
    /** The largest binary exponent of a finite long double: 2^16384 overflows. */
    private static final int MAX_EXPONENT = 16383;
    private static final double LOG2_10 = Math.log(10) / Math.log(2);

    private LongDouble() {}

    /** {@code x} rounded to the nearest long double, or null if that is infinite. */
    static BigDecimal round(BigDecimal x) {
        if (x.signum() == 0) return BigDecimal.ZERO;
        BigDecimal abs = x.abs();
        int k = floorLog2(abs);
        if (k > MAX_EXPONENT) return null;
        int e = k - (SIGNIFICAND_BITS - 1);
        BigInteger m = divideByPowerOfTwo(abs, e).setScale(0, RoundingMode.HALF_EVEN).toBigIntegerExact();
        if (m.bitLength() > SIGNIFICAND_BITS && k + 1 > MAX_EXPONENT) return null; // rounded up past the largest finite value
        BigDecimal r = divideByPowerOfTwo(new BigDecimal(m), -e);
        return x.signum() < 0 ? r.negate() : r;
    }

    /** The sum as the FPU gives it, or null if it is infinite. */
    static BigDecimal add(BigDecimal a, BigDecimal b) {
        return round(a.add(b));
    }

    private static final long[] POWERS_OF_FIVE = new long[18];
    private static final long[] POWERS_OF_TEN = new long[19];

    static {
        POWERS_OF_FIVE[0] = 1;
        for (int i = 1; i < POWERS_OF_FIVE.length; i++) POWERS_OF_FIVE[i] = POWERS_OF_FIVE[i - 1] * 5;
        POWERS_OF_TEN[0] = 1;
        for (int i = 1; i < POWERS_OF_TEN.length; i++) POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
    }

    /**
     * The formatted sum of {@code a} and {@code b} when both are plain decimals that a long double
     * holds exactly (at most 18 digits, at most 17 after the point, and a binary fraction: 4.5, 0.25,
     * 12, not 0.1), as {@link #format}({@link #add}) prints it; null when they are not, and the
     * exact arithmetic must decide. Such operands and their sum are exact in a long, so the FPU's
     * sum is exact too: no rounding to mimic (INCRBYFLOAT by 1.5 no longer goes through BigDecimal).
     */
    static String exactSum(String a, String b) {
        long scaleA = scale(a);
        long scaleB = scale(b);
        if (scaleA < 0 || scaleB < 0) return null;
        long ma = binaryNumerator(a, (int) scaleA);
        long mb = binaryNumerator(b, (int) scaleB);
        if (ma == Long.MIN_VALUE || mb == Long.MIN_VALUE) return null;
        int scale = (int) Math.max(scaleA, scaleB); // the sum is n / 2^scale
        try {
            long n = Math.addExact(Math.multiplyExact(ma, 1L << (scale - scaleA)), Math.multiplyExact(mb, 1L << (scale - scaleB)));
            long decimal = Math.multiplyExact(n, POWERS_OF_FIVE[scale]); // n / 2^scale = n * 5^scale / 10^scale
            return decimalText(decimal, scale);
        } catch (ArithmeticException overflow) {
            return null;
        }
    }

    /** Digits after the point of a plain decimal of at most 18 digits ({@code -?\d+(\.\d+)?}), or -1 if it is not one. */
    private static long scale(String t) {
        int i = t.startsWith("-") ? 1 : 0;
        int digits = 0;
        int point = -1;
        for (int k = i; k < t.length(); k++) {
            char ch = t.charAt(k);
            if (ch == '.' && point < 0 && k > i && k < t.length() - 1) point = k;
            else if (ch >= '0' && ch <= '9') {
                if (++digits > 18) return -1; // also ends the look at a long string early
            } else return -1;
        }
        if (digits == 0) return -1;
        long scale = point < 0 ? 0 : t.length() - point - 1;
        return scale > 17 ? -1 : scale;
    }

    /** m where the decimal {@code t} is m / 2^scale exactly; Long.MIN_VALUE if it is no binary fraction. */
    private static long binaryNumerator(String t, int scale) {
        boolean negative = t.startsWith("-");
        long unscaled = 0;
        for (int k = negative ? 1 : 0; k < t.length(); k++) {
            char ch = t.charAt(k);
            if (ch != '.') unscaled = unscaled * 10 + (ch - '0');
        }
        if (unscaled % POWERS_OF_FIVE[scale] != 0) return Long.MIN_VALUE; // u / 10^s = (u / 5^s) / 2^s only when 5^s divides u
        long m = unscaled / POWERS_OF_FIVE[scale];
        return negative ? -m : m;
    }

    /** {@code decimal / 10^scale} as {@link #format} prints it. */
    private static String decimalText(long decimal, int scale) {
        if (decimal == 0) return "0";
        StringBuilder out = new StringBuilder();
        if (decimal < 0) out.append('-');
        long abs = Math.abs(decimal);
        out.append(abs / POWERS_OF_TEN[scale]);
        long fraction = abs % POWERS_OF_TEN[scale];
        if (fraction != 0) {
            String digits = Long.toString(fraction);
            out.append('.').append("0".repeat(scale - digits.length()));
            int end = digits.length();
            while (digits.charAt(end - 1) == '0') end--;
            out.append(digits, 0, end);
        }
        return out.toString();
    }

    /** {@code %.17Lf} with trailing zeros (and a bare point) cut, and -0 as 0. */
    static String format(BigDecimal x) {
        String s = x.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
        if (s.indexOf('.') >= 0) {
            int end = s.length();
            while (s.charAt(end - 1) == '0') end--;
            if (s.charAt(end - 1) == '.') end--;
            s = s.substring(0, end);
        }
        return s.equals("-0") ? "0" : s;
    }

    /** x / 2^n for any n (a multiplication when n is negative): exact, as x * 5^n / 10^n, without a division. */
    private static BigDecimal divideByPowerOfTwo(BigDecimal x, int n) {
        if (n == 0) return x;
        if (n < 0) return x.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(-n)));
        return new BigDecimal(x.unscaledValue().multiply(FIVE.pow(n)), x.scale() + n);
    }

    private static final BigInteger FIVE = BigInteger.valueOf(5);

    /** The k with 2^k <= x < 2^(k+1), for x > 0. */
    private static int floorLog2(BigDecimal x) {
        BigInteger u = x.unscaledValue();
        int k = (int) Math.floor(u.bitLength() - 1 - x.scale() * LOG2_10);
        while (power(k).compareTo(x) > 0) k--;
        while (power(k + 1).compareTo(x) <= 0) k++;
        return k;
    }

    private static BigDecimal power(int k) {
        return divideByPowerOfTwo(BigDecimal.ONE, -k);
    }
}

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

package dev.cask.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** INCRBYFLOAT's arithmetic without a socket: each expected text is what redis-server 7.0.15 answered. */
class LongDoubleTest {
    private static String sum(String a, String b) {
        return LongDouble.format(LongDouble.add(LongDouble.round(new BigDecimal(a)), LongDouble.round(new BigDecimal(b))));
    }

    @Test
    void sumsPrintAsRedisPrintsThem() {
        assertThat(sum("128", "0.1")).isEqualTo("128.10000000000000001");
        assertThat(sum("10.5", "0.1")).isEqualTo("10.6");
        assertThat(sum("5.0e3", "200")).isEqualTo("5200");
        assertThat(sum("3.0", "-3.0")).isEqualTo("0");
        assertThat(sum("100000000000000000000", "1")).isEqualTo("100000000000000000000");
        assertThat(sum("0.1", "0.2")).isEqualTo("0.3");
        assertThat(sum("-0.25", "0.0000001")).isEqualTo("-0.2499999");
        assertThat(sum("123456789.123456789", "0.000000001")).isEqualTo("123456789.12345678999554366");
        assertThat(sum("1.7976931348623157e308", "1e308")).isEqualTo("2797693134862315700023522404413500787892999291796199340039876956176933709188303646840149442210420509"
                + "8734115571036154417168614802927650530713877726232187712988803606500220423903381255059850917413273948"
                + "0498569620043582760541189365866551522561741435317031294527744011878159793174665688773926186886103199182225408");
    }

    /** The exact shortcut answers as the long-double arithmetic does, or leaves the sum to it. */
    @net.jqwik.api.Property(tries = 3000)
    void theExactShortcutAgreesWithTheLongDoubleArithmetic(@net.jqwik.api.ForAll("operands") String a, @net.jqwik.api.ForAll("operands") String b) {
        String exact = LongDouble.exactSum(a, b);
        if (exact != null) assertThat(exact).as(a + " + " + b).isEqualTo(sum(a, b));
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> operands() {
        net.jqwik.api.Arbitrary<String> binaryFractions = net.jqwik.api.Combinators.combine(
                net.jqwik.api.Arbitraries.longs().between(-(1L << 40), 1L << 40), net.jqwik.api.Arbitraries.integers().between(0, 17))
                .as((m, k) -> new BigDecimal(m).divide(new BigDecimal(2).pow(k)).toPlainString());
        net.jqwik.api.Arbitrary<String> decimals = net.jqwik.api.Combinators.combine(
                net.jqwik.api.Arbitraries.longs().between(-999_999_999_999_999_999L, 999_999_999_999_999_999L), net.jqwik.api.Arbitraries.integers().between(0, 19))
                .as((u, scale) -> new BigDecimal(java.math.BigInteger.valueOf(u), scale).toPlainString());
        return net.jqwik.api.Arbitraries.oneOf(binaryFractions, decimals,
                net.jqwik.api.Arbitraries.of("0", "-0", "1.5", "0.1", "007.50", "-0.25", "999999999999999999", "-999999999999999999", "0.00000000000000001",
                        "4611686018427387904", "1e3", "+2", "5.", ".5", "-", "1.2.3"));
    }

    @Test
    void theExactShortcutTakesBinaryFractionsAndLeavesTheRest() {
        assertThat(LongDouble.exactSum("3", "1.5")).isEqualTo("4.5");
        assertThat(LongDouble.exactSum("-0.25", "0.25")).isEqualTo("0");
        assertThat(LongDouble.exactSum("007.50", "-10")).isEqualTo("-2.5");
        assertThat(LongDouble.exactSum("128", "0.1")).isNull(); // 0.1 is no binary fraction: the long double rounds it
        assertThat(LongDouble.exactSum("1e3", "1")).isNull();
        assertThat(LongDouble.exactSum("999999999999999999", "999999999999999999")).isEqualTo("1999999999999999998");
        assertThat(LongDouble.exactSum("9223372036854775807", "1")).isNull(); // 19 digits: past the shortcut
    }

    @Test
    void pastTheLargestLongDoubleIsInfinite() {
        assertThat(LongDouble.round(new BigDecimal("1e4933"))).isNull();
        assertThat(LongDouble.round(new BigDecimal("1e4932"))).isNotNull();
    }
}

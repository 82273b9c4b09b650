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

    @Test
    void pastTheLargestLongDoubleIsInfinite() {
        assertThat(LongDouble.round(new BigDecimal("1e4933"))).isNull();
        assertThat(LongDouble.round(new BigDecimal("1e4932"))).isNotNull();
    }
}

package dev.cask.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The request parser on bytes alone, no socket: splits, inline commands, limits and Redis's error texts. */
class RespParserTest {
    private static final RespLimits LIMITS = new RespLimits(1 << 20, 1024, 1 << 20);

    private static List<String> parse(RespParser parser, String... chunks) throws ProtocolException {
        List<String> requests = new ArrayList<>();
        for (String chunk : chunks) {
            parser.parse(ByteBuffer.wrap(chunk.getBytes(StandardCharsets.ISO_8859_1)), args -> {
                List<String> words = new ArrayList<>();
                for (byte[] a : args) words.add(new String(a, StandardCharsets.ISO_8859_1));
                requests.add(String.join("|", words));
                return true;
            });
        }
        return requests;
    }

    @Test
    void aPipelineSplitAtEveryByteGivesTheSameRequests() throws Exception {
        String pipeline = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\nPING\r\nECHO \"a b\" 'c'\n";
        List<String> whole = parse(new RespParser(LIMITS), pipeline);
        assertThat(whole).containsExactly("GET|k", "SET|k|", "PING", "ECHO|a b|c");
        for (int cut = 1; cut < pipeline.length(); cut++) {
            assertThat(parse(new RespParser(LIMITS), pipeline.substring(0, cut), pipeline.substring(cut))).as("cut at " + cut).isEqualTo(whole);
        }
        String[] bytes = pipeline.split("");
        assertThat(parse(new RespParser(LIMITS), bytes)).isEqualTo(whole);
    }

    @Test
    void malformedHeadersGetRedisErrorTexts() {
        assertThatThrownBy(() -> parse(new RespParser(LIMITS), "*abc\r\n")).isInstanceOf(ProtocolException.class)
                .hasMessage("invalid multibulk length");
        assertThatThrownBy(() -> parse(new RespParser(LIMITS), "*1\r\nx\r\n")).isInstanceOf(ProtocolException.class)
                .hasMessage("expected '$', got 'x'");
        assertThatThrownBy(() -> parse(new RespParser(LIMITS), "*1\r\n$-5\r\n")).isInstanceOf(ProtocolException.class)
                .hasMessage("invalid bulk length");
        assertThatThrownBy(() -> parse(new RespParser(LIMITS), "*1\r\n$" + ((1 << 20) + 1) + "\r\n")).isInstanceOf(ProtocolException.class)
                .hasMessage("invalid bulk length");
        assertThatThrownBy(() -> parse(new RespParser(LIMITS), "*1025\r\n")).isInstanceOf(ProtocolException.class)
                .hasMessage("invalid multibulk length");
    }

    @Test
    void anUnauthenticatedClientIsHeldToRedisSmallLimits() throws Exception {
        RespParser parser = new RespParser(LIMITS);
        parser.authenticated(false);
        assertThatThrownBy(() -> parse(parser, "*11\r\n")).hasMessage("unauthenticated multibulk length");
        RespParser other = new RespParser(LIMITS);
        other.authenticated(false);
        assertThatThrownBy(() -> parse(other, "*2\r\n$3\r\nGET\r\n$" + (16 * 1024 + 1) + "\r\n")).hasMessage("unauthenticated bulk length");
        RespParser fine = new RespParser(LIMITS);
        fine.authenticated(false);
        assertThat(parse(fine, "*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n")).containsExactly("AUTH|pw");
    }

    @Test
    void anUnfinishedRequestCountsAgainstTheQueryBufferAsItsBytesArrive() throws Exception {
        RespParser parser = new RespParser(new RespLimits(1 << 20, 1024, RespLimits.MAX_LINE));
        assertThat(parse(parser, "*1\r\n$100000\r\n")).isEmpty();
        long declaredOnly = parser.buffered();
        assertThat(declaredOnly).isLessThan(32 << 10); // a declared 100,000 bytes: a first chunk is held, not the whole declared length
        assertThatThrownBy(() -> parse(parser, "x".repeat(RespLimits.MAX_LINE))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("query buffer");
    }
}

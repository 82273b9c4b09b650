package dev.cask.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The reply encoder on bytes alone: RESP2 and RESP3 shapes, and the output limit checked before a reply is built. */
class ReplyTest {
    private static String text(Reply r) {
        ByteBuffer b = r.slice(0);
        return StandardCharsets.ISO_8859_1.decode(b).toString();
    }

    @Test
    void resp2Shapes() {
        Reply r = new Reply();
        r.ok();
        r.integer(-42);
        r.bulk("héllo".getBytes(StandardCharsets.UTF_8));
        r.nil();
        r.nilArray();
        r.map(1);
        r.bulk("k");
        r.bulk("v");
        r.error("ERR wrong number of arguments for 'get' command");
        String expected = String.join("\r\n", "+OK", ":-42", "$6", "h\u00c3\u00a9llo", "$-1", "*-1", "*2", "$1", "k", "$1", "v",
                "-ERR wrong number of arguments for 'get' command", "");
        assertThat(text(r)).isEqualTo(expected);
    }

    @Test
    void resp3Shapes() {
        Reply r = new Reply();
        r.resp3 = true;
        r.nil();
        r.nilArray();
        r.map(1);
        r.bulk("k");
        r.integer(1);
        assertThat(text(r)).isEqualTo("_\r\n_\r\n%1\r\n$1\r\nk\r\n:1\r\n");
    }

    @Test
    void aReplyPastTheLimitIsRefusedBeforeItIsBuilt() {
        Reply r = new Reply();
        r.limit(100);
        r.simple("fits");
        int before = r.length();
        assertThatThrownBy(() -> r.bulk(new byte[1000])).isInstanceOf(Reply.LimitExceeded.class).hasMessageContaining("output buffer limit");
        assertThat(r.length()).isEqualTo(before);
    }
}

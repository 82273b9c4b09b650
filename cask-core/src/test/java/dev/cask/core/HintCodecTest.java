package dev.cask.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The hint codec on bytes alone: an entry and the trailer round-trip, and a flipped bit anywhere is caught. */
class HintCodecTest {
    @Test
    void anEntryAndATrailerRoundTrip() {
        byte[] key = "user:42".getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = RecordCodec.allocate(HintCodec.entrySize(key.length) + HintCodec.HEADER_SIZE);
        HintCodec.encodeEntry(buf, 1_700_000_000_000L, 1_800_000_000_000L, key, 123, 4567);
        HintCodec.encodeTrailer(buf, 9999, 1);
        int length = HintCodec.check(buf, 0, buf.position());
        assertThat(length).isEqualTo(HintCodec.entrySize(key.length));
        assertThat(HintCodec.isTrailer(buf, 0)).isFalse();
        assertThat(HintCodec.timestamp(buf, 0)).isEqualTo(1_700_000_000_000L);
        assertThat(HintCodec.expiry(buf, 0)).isEqualTo(1_800_000_000_000L);
        assertThat(HintCodec.key(buf, 0)).isEqualTo(key);
        assertThat(HintCodec.valueSize(buf, 0)).isEqualTo(123);
        assertThat(HintCodec.valuePosition(buf, 0)).isEqualTo(4567);
        assertThat(HintCodec.check(buf, length, buf.position())).isEqualTo(HintCodec.HEADER_SIZE);
        assertThat(HintCodec.isTrailer(buf, length)).isTrue();
        assertThat(HintCodec.trailerDataSize(buf, length)).isEqualTo(9999);
        assertThat(HintCodec.trailerCount(buf, length)).isEqualTo(1);
    }

    @Test
    void aFlippedBitAnywhereIsCaught() {
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = RecordCodec.allocate(HintCodec.entrySize(key.length));
        HintCodec.encodeEntry(buf, 1, 0, key, 5, 30);
        int end = buf.position();
        for (int at = 0; at < end; at++) {
            for (int bit = 0; bit < 8; bit++) {
                buf.put(at, (byte) (buf.get(at) ^ (1 << bit)));
                assertThat(HintCodec.check(buf, 0, end)).as("byte " + at + " bit " + bit).isNotEqualTo(end);
                buf.put(at, (byte) (buf.get(at) ^ (1 << bit)));
            }
        }
        assertThat(HintCodec.check(buf, 0, end)).isEqualTo(end);
        assertThat(HintCodec.check(buf, 0, end - 1)).isNegative(); // cut short
    }
}

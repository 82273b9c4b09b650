package dev.cask.core;

import static dev.cask.core.TestFiles.b;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RecordCodecTest {

    @Test
    void putRecordHasTheDocumentedLayout() {
        ByteBuffer buf = RecordCodec.allocate(64);
        RecordCodec.encodePut(buf, 0x0102030405060708L, 0, b("ab"), b("xyz"));
        assertThat(buf.position()).isEqualTo(26 + 2 + 3);
        byte[] bytes = new byte[buf.position()];
        buf.get(0, bytes);
        // timestamp little-endian right after the CRC; key size 2 (u16), value size 3 (u32)
        assertThat(bytes[4]).isEqualTo((byte) 0x08);
        assertThat(bytes[11]).isEqualTo((byte) 0x01);
        assertThat(bytes[20]).isEqualTo((byte) 2);
        assertThat(bytes[22]).isEqualTo((byte) 3);
        assertThat(new String(bytes, 26, 5)).isEqualTo("abxyz");
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes, 4, bytes.length - 4);
        assertThat(buf.getInt(0)).isEqualTo((int) crc.getValue());
        assertThat(RecordCodec.check(buf, 0, buf.position())).isEqualTo(31);
    }

    @Test
    void tombstoneHasMaximalValueSizeAndNoValue() {
        ByteBuffer buf = RecordCodec.allocate(64);
        RecordCodec.encodeTombstone(buf, 1, b("gone"));
        assertThat(buf.getInt(22)).isEqualTo(-1);
        assertThat(RecordCodec.check(buf, 0, buf.position())).isEqualTo(30);
        assertThat(RecordCodec.isTombstone(buf, 0)).isTrue();
    }

    @Property
    void everyFlippedBitIsCaught(@ForAll @Size(min = 1, max = 40) byte[] key, @ForAll @Size(max = 200) byte[] value,
            @ForAll @IntRange(min = 0, max = 10_000) int which) {
        ByteBuffer buf = RecordCodec.allocate(512);
        RecordCodec.encodePut(buf, 42, 7, key, value);
        int length = buf.position();
        int bit = which % (length * 8);
        buf.put(bit / 8, (byte) (buf.get(bit / 8) ^ (1 << (bit % 8))));
        assertThat(RecordCodec.check(buf, 0, length)).isNotEqualTo(length);
    }

    @Property
    void everyPrefixIsIncompleteNeverValid(@ForAll @Size(min = 1, max = 40) byte[] key, @ForAll @Size(max = 100) byte[] value) {
        ByteBuffer buf = RecordCodec.allocate(512);
        RecordCodec.encodePut(buf, 42, 0, key, value);
        int length = buf.position();
        for (int cut = 0; cut < length; cut++) assertThat(RecordCodec.check(buf, 0, cut)).isLessThan(0);
        assertThat(RecordCodec.check(buf, 0, length)).isEqualTo(length);
    }

    @Test
    void zerosAreNeverARecord() {
        ByteBuffer zeros = RecordCodec.allocate(100);
        assertThat(RecordCodec.check(zeros, 0, 100)).isEqualTo(RecordCodec.INVALID);
    }
}

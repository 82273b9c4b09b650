package dev.cask.core;

import static dev.cask.core.TestFiles.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** Both record layouts: version 1's fixed header (still read) and version 2's compact one (written). */
class RecordCodecTest {
    private static final RecordCodec V1 = RecordCodec.forVersion(1);
    private static final RecordCodec V2 = RecordCodec.forVersion(2);

    private static String hex(ByteBuffer buf) {
        byte[] bytes = new byte[buf.position()];
        buf.get(0, bytes);
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }

    @Test
    void versionOnePutRecordHasTheDocumentedLayout() {
        ByteBuffer buf = RecordCodec.allocate(64);
        V1.encodePut(buf, 0x0102030405060708L, 0, b("ab"), b("xyz"));
        assertThat(buf.position()).isEqualTo(26 + 2 + 3);
        byte[] bytes = new byte[buf.position()];
        buf.get(0, bytes);
        // timestamp little-endian right after the CRC; key size 2 (u16), value size 3 (u32)
        assertThat(bytes[4]).isEqualTo((byte) 0x08);
        assertThat(bytes[11]).isEqualTo((byte) 0x01);
        assertThat(bytes[20]).isEqualTo((byte) 2);
        assertThat(bytes[22]).isEqualTo((byte) 3);
        assertThat(new String(bytes, 26, 5, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("abxyz");
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes, 4, bytes.length - 4);
        assertThat(buf.getInt(0)).isEqualTo((int) crc.getValue());
        assertThat(V1.check(buf, 0, buf.position())).isEqualTo(31);
    }

    @Test
    void versionOneTombstoneHasMaximalValueSizeAndNoValue() {
        ByteBuffer buf = RecordCodec.allocate(64);
        V1.encodeTombstone(buf, 1, b("gone"));
        assertThat(buf.getInt(22)).isEqualTo(-1);
        assertThat(V1.check(buf, 0, buf.position())).isEqualTo(30);
        assertThat(V1.isTombstone(buf, 0)).isTrue();
    }

    @Test
    void versionTwoPutRecordHasTheDocumentedBytes() {
        ByteBuffer buf = RecordCodec.allocate(64);
        V2.encodePut(buf, 0x0000_0102_0304_0506L, 0, b("ab"), b("xyz"));
        // crc, flags 00, timestamp 6 bytes little-endian, keySize 02, valueSize 03, key, value: 13 + 2 + 3
        assertThat(hex(buf).substring(12)).isEqualTo("00 06 05 04 03 02 01 02 03 61 62 78 79 7a");
        assertThat(V2.check(buf, 0, buf.position())).isEqualTo(18);
        assertThat(V2.putSize(2, 3, 0)).isEqualTo(18);
        assertThat(V2.timestamp(buf, 0)).isEqualTo(0x0000_0102_0304_0506L);
        assertThat(V2.expiry(buf, 0)).isZero();
        assertThat(V2.valueSize(buf, 0)).isEqualTo(3);
        assertThat(V2.valueOffset(buf, 0)).isEqualTo(15);
    }

    @Test
    void versionTwoWritesTheExpiryOnlyWhenThereIsOneAndLongSizesAsVarints() {
        ByteBuffer buf = RecordCodec.allocate(512);
        V2.encodePut(buf, 1, 300, b("k"), new byte[200]);
        // flags 02 (expiry), timestamp, expiry 300 = ac 02, keySize 01, valueSize 200 = c8 01
        assertThat(hex(buf).substring(12, 12 + 3 * 13 - 1)).isEqualTo("02 01 00 00 00 00 00 ac 02 01 c8 01 6b");
        assertThat(V2.check(buf, 0, buf.position())).isEqualTo(buf.position()).isEqualTo(V2.putSize(1, 200, 300));
        assertThat(V2.expiry(buf, 0)).isEqualTo(300);
        assertThat(V2.valueSize(buf, 0)).isEqualTo(200);
        assertThat(V2.keySize(buf, 0)).isEqualTo(1);
    }

    @Test
    void versionTwoTombstoneHasNoValueSizeAndControlRecordsAreShort() {
        ByteBuffer buf = RecordCodec.allocate(64);
        V2.encodeTombstone(buf, 1, b("gone"));
        assertThat(buf.get(4)).isEqualTo((byte) 1);
        assertThat(V2.check(buf, 0, buf.position())).isEqualTo(12 + 4).isEqualTo(V2.tombstoneSize(4));
        assertThat(V2.isTombstone(buf, 0)).isTrue();
        assertThat(V2.valueOffset(buf, 0)).isEqualTo(16);
        ByteBuffer control = RecordCodec.allocate(64);
        V2.encodeControl(control, 1, RecordCodec.CONTROL_BATCH_COMMIT, 7);
        assertThat(V2.check(control, 0, control.position())).isEqualTo(18).isEqualTo(V2.controlSize());
        assertThat(V2.isBatchCommit(control, 0)).isTrue();
        assertThat(V2.batchCount(control, 0)).isEqualTo(7);
    }

    @Test
    void aVarintLongerThanItNeedsToBeIsInvalid() {
        ByteBuffer buf = RecordCodec.allocate(64);
        V2.encodePut(buf, 1, 0, b("k"), b("v"));
        int length = buf.position();
        ByteBuffer padded = RecordCodec.allocate(64);
        padded.put(buf.flip().slice(0, 11)).put((byte) 0x81).put((byte) 0x00); // keySize 1 as two bytes
        padded.put(buf.slice(12, length - 12));
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(padded.slice(4, padded.position() - 4));
        padded.putInt(0, (int) crc.getValue()); // a sound CRC: only the long varint is wrong
        assertThat(V2.check(padded, 0, padded.position())).isEqualTo(RecordCodec.INVALID);
    }

    @Test
    void aTimestampPastFortyEightBitsIsRefusedNotTruncated() {
        assertThatThrownBy(() -> V2.encodePut(RecordCodec.allocate(64), 1L << 48, 0, b("k"), b("v"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Property
    void everyFlippedBitIsCaught(@ForAll @Size(min = 1, max = 40) byte[] key, @ForAll @Size(max = 200) byte[] value,
            @ForAll @IntRange(min = 0, max = 10_000) int which, @ForAll @IntRange(min = 1, max = 2) int version) {
        RecordCodec codec = RecordCodec.forVersion(version);
        ByteBuffer buf = RecordCodec.allocate(512);
        codec.encodePut(buf, 42, 7, key, value);
        int length = buf.position();
        int bit = which % (length * 8);
        buf.put(bit / 8, (byte) (buf.get(bit / 8) ^ (1 << (bit % 8))));
        assertThat(codec.check(buf, 0, length)).isNotEqualTo(length);
    }

    @Property
    void everyPrefixIsIncompleteNeverValid(@ForAll @Size(min = 1, max = 40) byte[] key, @ForAll @Size(max = 300) byte[] value,
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long expiry, @ForAll @IntRange(min = 1, max = 2) int version) {
        RecordCodec codec = RecordCodec.forVersion(version);
        ByteBuffer buf = RecordCodec.allocate(512);
        codec.encodePut(buf, 42, expiry, key, value);
        int length = buf.position();
        for (int cut = 0; cut < length; cut++) assertThat(codec.check(buf, 0, cut)).isEqualTo(RecordCodec.INCOMPLETE);
        assertThat(codec.check(buf, 0, length)).isEqualTo(length);
    }

    @Property
    void theHeaderSizeFollowsFromWhatTheKeydirHolds(@ForAll @Size(min = 1, max = 300) byte[] key, @ForAll @Size(max = 300) byte[] value,
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long expiry, @ForAll @IntRange(min = 1, max = 2) int version) {
        RecordCodec codec = RecordCodec.forVersion(version);
        ByteBuffer buf = RecordCodec.allocate(1024);
        buf.position(17);
        codec.encodePut(buf, 42, expiry, key, value);
        assertThat(buf.position() - 17).isEqualTo(codec.putSize(key.length, value.length, expiry));
        long valuePosition = 17L + codec.valueOffset(buf, 17);
        assertThat(codec.recordOffset(valuePosition, key.length, value.length, expiry)).isEqualTo(17);
        assertThat(valuePosition + value.length).isEqualTo(buf.position()); // the value ends where the record does
        assertThat(codec.key(buf, 17)).isEqualTo(key);
        assertThat(codec.expiry(buf, 17)).isEqualTo(expiry);
        assertThat(codec.hasKey(buf, 17, key)).isTrue();
    }

    @Test
    void zerosAreNeverARecord() {
        ByteBuffer zeros = RecordCodec.allocate(100);
        assertThat(V1.check(zeros, 0, 100)).isEqualTo(RecordCodec.INVALID);
        assertThat(V2.check(zeros, 0, 100)).isEqualTo(RecordCodec.INVALID);
    }

    @Test
    void theCurrentLayoutIsVersionTwoAndUnknownVersionsHaveNone() {
        assertThat(RecordCodec.current()).isSameAs(V2);
        assertThat(RecordCodec.forVersion(0)).isSameAs(V1);
        assertThatThrownBy(() -> RecordCodec.forVersion(3)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * The read path's check from what the keydir knows ({@code isPutRecord}) says exactly what the
     * general check says (valid, this length, not a tombstone, this key), for both layouts, on whole
     * records, records with any one byte changed, tombstones, and a keydir that expects another key,
     * value size or expiry.
     */
    @Property(tries = 300)
    void theReadChecksFastPathAgreesWithTheGeneralCheck(@ForAll @Size(min = 0, max = 40) byte[] key, @ForAll @Size(max = 300) byte[] value,
                                                       @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long expiry, @ForAll boolean withExpiry,
                                                       @ForAll boolean tombstone, @ForAll @IntRange(min = -1, max = 400) int damageAt,
                                                       @ForAll byte damage, @ForAll @IntRange(min = 0, max = 3) int expect, @ForAll boolean offset) {
        long e = withExpiry ? Math.max(1, expiry) : 0;
        for (RecordCodec codec : new RecordCodec[] {V1, V2}) {
            int from = offset ? 7 : 0;
            byte[] bytes = new byte[from + 400];
            ByteBuffer buf = RecordCodec.wrap(bytes);
            buf.position(from);
            if (tombstone) codec.encodeTombstone(buf, 1, key);
            else codec.encodePut(buf, 1_700_000_000_000L, codec == V1 ? 0 : e, key, value);
            int length = buf.position() - from;
            if (damageAt >= 0 && damageAt < length) buf.put(from + damageAt, (byte) (buf.get(from + damageAt) ^ (damage == 0 ? 1 : damage)));
            byte[] expectedKey = expect == 1 ? java.util.Arrays.copyOf(key, key.length + 1) : key;
            int expectedValueSize = expect == 2 ? value.length + 1 : value.length;
            long expectedExpiry = expect == 3 ? e + 1 : (codec == V1 ? 0 : e);
            ByteBuffer record = RecordCodec.wrap(java.util.Arrays.copyOfRange(bytes, from, from + length));
            boolean general = codec.check(record, 0, length) == length && !codec.isTombstone(record, 0) && codec.hasKey(record, 0, expectedKey)
                    && codec.putSize(expectedKey.length, expectedValueSize, expectedExpiry) == length
                    && codec.expiry(record, 0) == expectedExpiry && codec.valueSize(record, 0) == expectedValueSize;
            assertThat(codec.isPutRecord(bytes, from, length, expectedKey, expectedValueSize, expectedExpiry))
                    .as("format %d, length %d, damage at %d", codec.formatVersion(), length, damageAt).isEqualTo(general);
        }
    }
}

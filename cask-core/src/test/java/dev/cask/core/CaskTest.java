package dev.cask.core;

import static dev.cask.core.TestFiles.b;
import static dev.cask.core.TestFiles.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaskTest {
    @TempDir
    Path dir;

    @Test
    void putGetDeleteSurviveReopen() {
        try (Cask cask = Cask.open(dir)) {
            cask.put(b("a"), b("1"));
            cask.put(b("b"), b("2"));
            cask.put(b("a"), b("3"));
            assertThat(cask.delete(b("b"))).isTrue();
            assertThat(cask.delete(b("b"))).isFalse();
            assertThat(s(cask.get(b("a")))).isEqualTo("3");
            assertThat(cask.get(b("b"))).isNull();
        }
        try (Cask cask = Cask.open(dir)) {
            assertThat(s(cask.get(b("a")))).isEqualTo("3");
            assertThat(cask.get(b("b"))).isNull();
            assertThat(cask.keys()).extracting(TestFiles::s).containsExactly("a");
            assertThat(cask.recoveryReport().droppedBytes()).isZero();
        }
    }

    @Test
    void emptyValueIsNotADelete() {
        try (Cask cask = Cask.open(dir)) {
            cask.put(b("k"), new byte[0]);
        }
        try (Cask cask = Cask.open(dir)) {
            assertThat(cask.get(b("k"))).isEmpty();
        }
    }

    @Test
    void rotatesAtTheSizeLimitAndNeverWritesAClosedSegmentAgain() throws Exception {
        CaskOptions options = CaskOptions.defaults().withMaxFileSize(200);
        try (Cask cask = Cask.open(dir, options)) {
            for (int i = 0; i < 50; i++) cask.put(b("key" + i), b("value-" + i));
            assertThat(TestFiles.segments(dir)).hasSizeGreaterThan(5);
            for (Path closed : TestFiles.segments(dir).subList(0, TestFiles.segments(dir).size() - 1)) {
                assertThat(Files.size(closed)).isLessThanOrEqualTo(200);
            }
            long before = Files.size(TestFiles.segments(dir).get(0));
            cask.put(b("key0"), b("new"));
            assertThat(Files.size(TestFiles.segments(dir).get(0))).isEqualTo(before);
        }
        try (Cask cask = Cask.open(dir, options)) {
            for (int i = 1; i < 50; i++) assertThat(s(cask.get(b("key" + i)))).isEqualTo("value-" + i);
            assertThat(s(cask.get(b("key0")))).isEqualTo("new");
        }
    }

    @Test
    void aRecordLargerThanTheSegmentLimitGetsASegmentOfItsOwn() {
        CaskOptions options = CaskOptions.defaults().withMaxFileSize(100);
        byte[] big = new byte[5000];
        new java.util.Random(1).nextBytes(big);
        try (Cask cask = Cask.open(dir, options)) {
            cask.put(b("small"), b("x"));
            cask.put(b("big"), big);
            cask.put(b("after"), b("y"));
        }
        try (Cask cask = Cask.open(dir, options)) {
            assertThat(cask.get(b("big"))).isEqualTo(big);
            assertThat(s(cask.get(b("after")))).isEqualTo("y");
        }
    }

    @Test
    void oversizedKeysAndValuesAreRefusedAndNothingIsWritten() throws Exception {
        CaskOptions options = CaskOptions.defaults().withMaxKeySize(8).withMaxValueSize(16);
        try (Cask cask = Cask.open(dir, options)) {
            long before = Files.size(TestFiles.newestSegment(dir));
            assertThatThrownBy(() -> cask.put(b("123456789"), b("v"))).isInstanceOf(LimitExceededException.class)
                    .hasMessageContaining("limit of 8 bytes");
            assertThatThrownBy(() -> cask.put(b("k"), new byte[17])).isInstanceOf(LimitExceededException.class)
                    .hasMessageContaining("limit of 16 bytes");
            assertThatThrownBy(() -> cask.put(new byte[0], b("v"))).isInstanceOf(LimitExceededException.class);
            assertThatThrownBy(() -> cask.write(new WriteBatch().put(b("ok"), b("v")).put(b("k"), new byte[17])))
                    .isInstanceOf(LimitExceededException.class);
            assertThat(Files.size(TestFiles.newestSegment(dir))).isEqualTo(before);
            assertThat(cask.get(b("ok"))).isNull();
        }
    }

    @Test
    void expiredKeysAreInvisibleToGetAndIteration() {
        AtomicLong now = new AtomicLong(1_000_000);
        Clock clock = new Clock() {
            @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return Instant.ofEpochMilli(now.get()); }
        };
        CaskOptions options = CaskOptions.defaults().withClock(clock);
        try (Cask cask = Cask.open(dir, options)) {
            cask.put(b("short"), b("v"), now.get() + 100);
            cask.put(b("forever"), b("v"));
            assertThat(cask.get(b("short"))).isNotNull();
            now.addAndGet(100);
            assertThat(cask.get(b("short"))).isNull();
            byte[][] values = new byte[3][];
            cask.get(new byte[][] {b("short"), b("forever"), b("never-written")}, 3, values);
            assertThat(values[0]).as("expired, read in a batch").isNull();
            assertThat(values[1]).isEqualTo(b("v"));
            assertThat(values[2]).isNull();
            assertThat(cask.contains(b("short"))).isFalse();
            assertThat(cask.keys()).extracting(TestFiles::s).containsExactly("forever");
            assertThat(cask.delete(b("short"))).isFalse();
            assertThat(cask.stats().expiredKeys()).isEqualTo(1);
        }
        try (Cask cask = Cask.open(dir, options)) {
            assertThat(cask.get(b("short"))).isNull();
            assertThat(cask.metadata(b("forever")).expiry()).isZero();
        }
    }

    /** The sink sees every key of the batch once, in order, with the bytes of its value or as missing; small and large records alike. */
    @Test
    void aBatchedReadHandsEachValueToTheSinkInOrder() {
        try (Cask cask = Cask.open(dir, CaskOptions.defaults().withMaxFileSize(4096))) {
            byte[] large = new byte[200_000]; // past the read scratch: a buffer of its own
            java.util.Arrays.fill(large, (byte) 7);
            cask.put(b("a"), b("1"));
            cask.put(b("large"), large);
            cask.put(b("gone"), b("x"));
            cask.delete(b("gone"));
            for (int i = 0; i < 200; i++) cask.put(b("k" + i), b("v" + i)); // rotates: the batch reads from several segments
            byte[][] keys = {b("k199"), b("gone"), b("a"), b("large"), b("missing"), b("k0")};
            List<String> seen = new ArrayList<>();
            cask.get(keys, keys.length, new ValueSink() {
                @Override
                public void value(int i, byte[] from, int offset, int length) {
                    seen.add(i + "=" + (length > 100 ? length + " bytes of " + from[offset + length - 1] : new String(from, offset, length, StandardCharsets.UTF_8)));
                }

                @Override
                public void missing(int i) {
                    seen.add(i + " missing");
                }
            });
            assertThat(seen).containsExactly("0=v199", "1 missing", "2=1", "3=200000 bytes of 7", "4 missing", "5=v0");
        }
    }

    @Test
    void aBatchedReadRefusesABatchOutsideItsBoundsBeforeReadingAnything() {
        try (Cask cask = Cask.open(dir)) {
            byte[][] tooMany = new byte[Cask.MAX_BATCH + 1][];
            java.util.Arrays.fill(tooMany, b("k"));
            assertThatThrownBy(() -> cask.get(tooMany, tooMany.length, new byte[tooMany.length][]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 to " + Cask.MAX_BATCH);
            assertThatThrownBy(() -> cask.get(new byte[2][], 3, new byte[3][])).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> cask.get(new byte[3][], -1, new byte[3][])).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void statsCountLiveAndDeadBytesPerSegment() {
        try (Cask cask = Cask.open(dir)) {
            cask.put(b("a"), b("1"));
            cask.put(b("a"), b("2"));
            cask.put(b("b"), b("3"));
            cask.delete(b("b"));
            CaskStats stats = cask.stats();
            int put = RecordCodec.current().putSize(1, 1, 0);
            assertThat(stats.keys()).isEqualTo(1);
            assertThat(stats.liveBytes()).isEqualTo(put);
            assertThat(stats.deadBytes()).isEqualTo(2L * put + put + RecordCodec.current().tombstoneSize(1) - put);
            assertThat(stats.fragmentation()).isGreaterThan(0.7);
        }
        try (Cask cask = Cask.open(dir)) {
            assertThat(cask.stats().liveBytes()).isEqualTo(RecordCodec.current().putSize(1, 1, 0));
        }
    }

    @Test
    void foreignFilesAreReportedAndLeftAlone() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "mine");
        try (Cask cask = Cask.open(dir)) {
            cask.put(b("k"), b("v"));
            assertThat(cask.recoveryReport().foreignFiles()).containsExactly("notes.txt");
            assertThat(cask.stats().foreignFiles()).containsExactly("notes.txt");
        }
        assertThat(Files.readString(dir.resolve("notes.txt"))).isEqualTo("mine");
    }

    @Test
    void aCorruptValueIsAnErrorNamingSegmentAndOffsetNeverAWrongValue() throws Exception {
        try (Cask cask = Cask.open(dir)) {
            cask.put(b("key"), b("the-value"));
            TestFiles.flipByte(TestFiles.newestSegment(dir), FileHeader.SIZE + TestFiles.HEADER + 3 + 2);
            assertThatThrownBy(() -> cask.get(b("key"))).isInstanceOf(CorruptionException.class)
                    .hasMessageContaining("offset " + FileHeader.SIZE).hasMessageContaining("0000000001.data");
        }
    }

    @Test
    void readCopiesARangeOfTheValueIntoTheCallersBufferAndChecksTheCrc() throws Exception {
        try (Cask cask = Cask.open(dir)) {
            cask.put(b("key"), b("0123456789"));
            java.nio.ByteBuffer into = java.nio.ByteBuffer.allocate(4);
            assertThat(cask.read(b("key"), 3, into)).isEqualTo(10);
            assertThat(s(java.util.Arrays.copyOf(into.array(), into.position()))).isEqualTo("3456");
            java.nio.ByteBuffer tail = java.nio.ByteBuffer.allocate(8);
            assertThat(cask.read(b("key"), 7, tail)).isEqualTo(10);
            assertThat(tail.position()).isEqualTo(3);
            java.nio.ByteBuffer past = java.nio.ByteBuffer.allocate(8);
            assertThat(cask.read(b("key"), 12, past)).isEqualTo(10);
            assertThat(past.position()).isZero();
            assertThat(cask.read(b("missing"), 0, past)).isEqualTo(-1);
            assertThatThrownBy(() -> cask.read(b("key"), -1, past)).isInstanceOf(IllegalArgumentException.class);
            TestFiles.flipByte(TestFiles.newestSegment(dir), TestFiles.HEADER + 3 + 9);
            assertThatThrownBy(() -> cask.read(b("key"), 0, java.nio.ByteBuffer.allocate(2))).isInstanceOf(CorruptionException.class);
        }
    }

    @Test
    void batchIsAllOrNothingAndAppliedInOrder() {
        try (Cask cask = Cask.open(dir)) {
            cask.put(b("gone"), b("x"));
            cask.write(new WriteBatch().put(b("a"), b("1")).put(b("a"), b("2")).delete(b("gone")).put(b("c"), b("3")));
            assertThat(s(cask.get(b("a")))).isEqualTo("2");
            assertThat(cask.get(b("gone"))).isNull();
        }
        try (Cask cask = Cask.open(dir)) {
            assertThat(s(cask.get(b("a")))).isEqualTo("2");
            assertThat(s(cask.get(b("c")))).isEqualTo("3");
            assertThat(cask.get(b("gone"))).isNull();
        }
    }

    @Test
    void syncPolicyTextRoundTrips() {
        for (String text : new String[] {"none", "always", "always:fdatasync", "every:10", "every:3:fdatasync", "interval:50",
                "interval:5:fdatasync", "osync", "odsync"}) {
            assertThat(SyncPolicy.parse(text).toString()).isEqualTo(text);
        }
        assertThatThrownBy(() -> SyncPolicy.parse("every:0")).hasMessageContaining("every:N needs N >= 1");
        assertThatThrownBy(() -> SyncPolicy.parse("sometimes")).hasMessageContaining("bad sync policy 'sometimes'");
        assertThatThrownBy(() -> SyncPolicy.parse("always:fsink")).hasMessageContaining("not fsync or fdatasync");
    }

    @Test
    void segmentStatsAreStatsWithoutTheExpiredWalk() {
        try (Cask cask = Cask.open(dir)) {
            cask.put(TestFiles.b("a"), TestFiles.b("1"));
            cask.put(TestFiles.b("b"), TestFiles.b("2"), 1); // expired long ago
            cask.put(TestFiles.b("a"), TestFiles.b("3"));
            CaskStats full = cask.stats();
            CaskStats quick = cask.segmentStats();
            assertThat(full.expiredKeys()).isEqualTo(1);
            assertThat(quick.expiredKeys()).isZero();
            assertThat(quick.keys()).isEqualTo(full.keys());
            assertThat(quick.liveBytes()).isEqualTo(full.liveBytes());
            assertThat(quick.deadBytes()).isEqualTo(full.deadBytes()).isPositive();
            assertThat(quick.segments()).isEqualTo(full.segments());
        }
    }
}

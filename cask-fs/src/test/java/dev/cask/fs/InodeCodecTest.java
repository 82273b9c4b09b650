package dev.cask.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cask.fs.fuse.FsTime;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The inode codec without a mount: today's version round-trips, and version 1 (times since 1970) is read and converted. */
class InodeCodecTest {
    @Test
    void roundTripsTimesFarFromNow() {
        Inode n = new Inode(7, 0100644, 1000, 1000, 0);
        n.atime = FsTime.of(10_413_792_000L, 5);
        n.mtime = FsTime.of(-2_147_472_000L, 999_999_999);
        n.ctime = FsTime.now(java.time.Clock.systemUTC());
        Inode back = InodeCodec.decode(7, InodeCodec.encode(n));
        assertThat(FsTime.epochSeconds(back.atime)).isEqualTo(10_413_792_000L);
        assertThat(FsTime.nanos(back.atime)).isEqualTo(5);
        assertThat(FsTime.epochSeconds(back.mtime)).isEqualTo(-2_147_472_000L);
        assertThat(back.ctime).isEqualTo(n.ctime);
    }

    @Test
    void readsVersionOneRecordsWrittenBeforeTheTimeBaseMoved() {
        long epochNanos = 1_700_000_000_123_456_789L;
        ByteBuffer b = ByteBuffer.allocate(InodeCodec.FIXED);
        b.put((byte) 1).putInt(0100644).putInt(0).putInt(0).putInt(1).putLong(12).putLong(0)
                .putLong(epochNanos).putLong(epochNanos).putLong(epochNanos);
        Inode n = InodeCodec.decode(3, b.array());
        assertThat(FsTime.epochSeconds(n.mtime)).isEqualTo(1_700_000_000L);
        assertThat(FsTime.nanos(n.mtime)).isEqualTo(123_456_789L);
        assertThat(n.size).isEqualTo(12);
    }

    @Test
    void timesBeyondWhatTheCountHoldsAreClampedNotWrapped() {
        assertThat(FsTime.epochSeconds(FsTime.of(Long.MAX_VALUE / 2, 0))).isGreaterThan(15_032_304_000L);
        assertThat(FsTime.epochSeconds(FsTime.of(Long.MIN_VALUE / 2, 0))).isLessThan(-2_147_472_000L);
    }
}

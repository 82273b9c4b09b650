package dev.cask.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A wakeup that comes after the transport closed (the sync thread finishing a force during
 * shutdown) must not write anywhere. Failed on the code before the durability issue for the native
 * transports: the wakeup wrote 8 bytes to the closed eventfd's number, which Linux gives to the
 * next file opened, so a database file could get {@code 01 00 00 00 00 00 00 00} at offset 0.
 */
class WakeupAfterCloseTest {
    @TempDir
    Path dir;

    @Test
    void aLateWakeupWritesToNoDescriptor() throws Exception {
        for (int round = 0; round < 20; round++) {
            Transport t = TestTransport.start(new Handler() {
                @Override
                public void onData(Connection connection, ByteBuffer input) {
                    input.position(input.limit());
                }
            }, ServerLimits.defaults());
            t.close();
            List<Path> files = new ArrayList<>();
            List<java.io.RandomAccessFile> open = new ArrayList<>();
            for (int i = 0; i < 8; i++) { // take the lowest free numbers, as a database opening files would
                Path f = dir.resolve("r" + round + "-" + i);
                files.add(f);
                open.add(new java.io.RandomAccessFile(f.toFile(), "rw"));
            }
            t.wakeup();
            t.wakeup();
            for (java.io.RandomAccessFile f : open) f.close();
            for (Path f : files) assertThat(Files.size(f)).as(f.getFileName().toString()).isZero();
        }
    }
}

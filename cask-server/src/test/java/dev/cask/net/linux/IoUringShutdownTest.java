package dev.cask.net.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cask.net.ServerLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A server start and stop must give back all it took from the kernel. Failed on the code before
 * the durability issue: every start mapped an 8 MiB provided-buffer pool (and its ring) that was
 * never unmapped, so a thousand starts in one JVM left 8 GiB of address space behind.
 */
class IoUringShutdownTest {
    @Test
    void eachStopUnmapsItsBufferPoolAndClosesItsDescriptors() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.cask.net.TestTransport.name().equals("io_uring"), "runs with the io_uring suite");
        cycle(); // class loading, the JDK's own descriptors
        long descriptors = descriptors();
        int stillMapped = 0;
        for (int i = 0; i < 100; i++) {
            if (stillMapped(cycle())) stillMapped++;
        }
        // the old code left all 100 mapped; a few may look mapped because the JVM reused the address for a large mapping at once
        assertThat(stillMapped).as("stops whose pool was still mapped after close").isLessThanOrEqualTo(5);
        assertThat(descriptors()).isLessThanOrEqualTo(descriptors + 2);
    }

    /** Starts a server, echoes a few bytes through it, stops it; returns where its pool was. */
    private static long cycle() throws IOException {
        IoUringTransport t = IoUringTransport.start(new InetSocketAddress("127.0.0.1", 0), new dev.cask.net.EchoHandler(), ServerLimits.defaults(), "cask-uring-test");
        long pool = t.poolAddress();
        try (Socket s = new Socket("127.0.0.1", t.port())) {
            OutputStream out = s.getOutputStream();
            out.write("ping".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            assertThat(new String(in.readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
        } finally {
            t.close();
        }
        return pool;
    }

    private static long descriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /**
     * Whether an anonymous read-write mapping still spans the whole pool. (Its address may be
     * reused at once by a smaller mapping of the JVM's, a thread stack say, which is not the pool.)
     */
    private static boolean stillMapped(long pool) throws IOException {
        long end = pool + IoUringTransport.POOL_BYTES;
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] fields = line.trim().split("\\s+");
            String[] range = fields[0].split("-");
            long from = Long.parseUnsignedLong(range[0], 16);
            long to = Long.parseUnsignedLong(range[1], 16);
            boolean anonymous = fields.length < 6;
            if (anonymous && fields[1].startsWith("rw") && Long.compareUnsigned(from, pool) <= 0 && Long.compareUnsigned(to, end) >= 0) return true;
        }
        return false;
    }
}

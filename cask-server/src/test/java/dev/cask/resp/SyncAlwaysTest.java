package dev.cask.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cask.core.Cask;
import dev.cask.core.CaskOptions;
import dev.cask.testkit.FaultyFileLayer;
import dev.cask.core.SyncPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/** {@code --sync always} over the wire: replies wait for their force; clients of one turn share it; a failed force acknowledges nothing. */
class SyncAlwaysTest {
    @TempDir
    Path dir;

    private static CaskOptions always(FaultyFileLayer files) {
        return CaskOptions.defaults().withFileLayer(files).withSyncPolicy(SyncPolicy.parse("always"));
    }

    @Test
    void clientsOfOneTurnShareOneForce() throws Exception {
        FaultyFileLayer files = new FaultyFileLayer();
        int clients = 50;
        int each = 100;
        try (TestServer server = TestServer.start(dir, always(files), null, RespLimits.forValues(1 << 20), TestServer.defaultLimits())) {
            int before = files.forces.get();
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int id = c;
                done.add(pool.submit(() -> {
                    try (Jedis j = new Jedis("127.0.0.1", server.port())) {
                        go.await();
                        for (int i = 0; i < each; i++) assertThat(j.set("c" + id + ":" + i, "v")).isEqualTo("OK");
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) f.get(120, TimeUnit.SECONDS);
            pool.shutdown();
            int forces = files.forces.get() - before;
            assertThat(server.cask.size()).isEqualTo((long) clients * each + 1); // and the server's keyspace-version record
            // one force per write would be 5,000: the loop's turns gather the clients' writes under far fewer
            assertThat(forces).isPositive().isLessThan(clients * each / 4);
        }
    }

    @Test
    void aReplyLeavesOnlyAfterItsForceReturned() throws Exception {
        FaultyFileLayer files = new FaultyFileLayer();
        try (TestServer server = TestServer.start(dir, always(files), null, RespLimits.forValues(1 << 20), TestServer.defaultLimits());
             Jedis j = new Jedis("127.0.0.1", server.port())) {
            for (int i = 0; i < 20; i++) {
                int forcesBefore = files.forces.get();
                assertThat(j.set("k" + i, "v")).isEqualTo("OK");
                assertThat(files.forces.get()).as("a force returned before the OK").isGreaterThan(forcesBefore);
            }
            int forcesBefore = files.forces.get();
            for (int i = 0; i < 20; i++) assertThat(j.get("k" + i)).isEqualTo("v");
            assertThat(files.forces.get()).as("reads force nothing").isEqualTo(forcesBefore);
        }
    }

    @Test
    void aFailedForceAcknowledgesNothingAndStopsWrites() throws Exception {
        FaultyFileLayer files = new FaultyFileLayer();
        try (TestServer server = TestServer.start(dir, always(files), null, RespLimits.forValues(1 << 20), TestServer.defaultLimits())) {
            try (Jedis j = new Jedis("127.0.0.1", server.port())) {
                assertThat(j.set("before", "v")).isEqualTo("OK");
                files.failForce = true;
                assertThatThrownBy(() -> j.set("lost", "v")).hasMessageContaining("force failed");
            }
            try (Jedis j = new Jedis("127.0.0.1", server.port())) {
                assertThatThrownBy(() -> j.set("after", "v")).hasMessageContaining("refuses writes");
                assertThat(j.get("before")).isEqualTo("v"); // reads go on
                assertThat(j.info("persistence")).contains("writes_stopped:1");
            }
        }
        java.nio.file.Files.delete(dir.resolve("cask.force-failed")); // the operator's step after a failed force (the marker says so)
        try (Cask reopened = Cask.open(dir)) {
            assertThat(reopened.get("before".getBytes())).isEqualTo("v".getBytes());
            assertThat(reopened.get("after".getBytes())).isNull();
        }
    }
}

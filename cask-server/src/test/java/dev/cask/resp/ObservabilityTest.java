package dev.cask.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cask.core.CaskOptions;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.resps.Slowlog;

/**
 * INFO's fields that dashboards and exporters read, and SLOWLOG, against a real server: each
 * counts what was really done on the socket.
 */
class ObservabilityTest {
    @TempDir
    Path dir;

    private static Map<String, String> info(Jedis jedis, String section) {
        Map<String, String> fields = new HashMap<>();
        for (String line : jedis.info(section).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) fields.put(line.substring(0, colon), line.substring(colon + 1));
        }
        return fields;
    }

    /** An automatic merge (here one the engine runs for a caller other than the server) shows in INFO, as Redis shows an AOF rewrite. */
    @Test
    void mergeInProgressCountsAMergeTheServerDidNotStart() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            for (int i = 0; i < 200; i++) jedis.set("k" + (i % 10), "v".repeat(1000));
            assertThat(info(jedis, "persistence")).containsEntry("merge_in_progress", "0");
            java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            Thread merge = Thread.ofPlatform().start(() -> server.cask.merge((done, total) -> {
                inside.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            try {
                assertThat(inside.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                assertThat(info(jedis, "persistence")).containsEntry("merge_in_progress", "1");
            } finally {
                release.countDown();
                merge.join();
            }
            assertThat(info(jedis, "persistence")).containsEntry("merge_in_progress", "0").containsKey("last_merge_time");
        }
    }

    @Test
    void statsCountHitsMissesBytesErrorsAndEveryCommand() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            Map<String, String> before = info(jedis, "stats");
            jedis.set("present", "v");
            jedis.hset("h", "f", "v");
            for (int i = 0; i < 3; i++) jedis.get("present");
            jedis.get("absent");
            jedis.hget("h", "f");
            jedis.hget("nohash", "f");
            assertThatThrownBy(() -> jedis.incr("present")).isInstanceOf(JedisDataException.class);
            assertThatThrownBy(() -> jedis.hget("present", "f")).isInstanceOf(JedisDataException.class).hasMessageStartingWith("WRONGTYPE");
            Map<String, String> after = info(jedis, "stats");
            assertThat(Long.parseLong(after.get("keyspace_hits")) - Long.parseLong(before.get("keyspace_hits"))).isEqualTo(4); // 3 GETs, 1 HGET
            assertThat(Long.parseLong(after.get("keyspace_misses")) - Long.parseLong(before.get("keyspace_misses"))).isGreaterThanOrEqualTo(2);
            assertThat(Long.parseLong(after.get("total_net_input_bytes"))).isGreaterThan(Long.parseLong(before.get("total_net_input_bytes")) + 100);
            assertThat(Long.parseLong(after.get("total_net_output_bytes"))).isGreaterThan(Long.parseLong(before.get("total_net_output_bytes")) + 30);
            assertThat(Long.parseLong(after.get("total_error_replies")) - Long.parseLong(before.get("total_error_replies"))).isEqualTo(2);

            Map<String, String> commands = info(jedis, "commandstats");
            assertThat(commands.get("cmdstat_get")).startsWith("calls=4,usec=").contains(",rejected_calls=0,failed_calls=0");
            assertThat(commands.get("cmdstat_incr")).startsWith("calls=1,").endsWith("failed_calls=1");
            Map<String, String> errors = info(jedis, "errorstats");
            assertThat(errors).containsEntry("errorstat_ERR", "count=1").containsEntry("errorstat_WRONGTYPE", "count=1");
            assertThat(info(jedis, "memory").get("used_memory")).matches("[1-9][0-9]*");
            assertThat(info(jedis, "default")).doesNotContainKey("cmdstat_get"); // commandstats only with all or by name, as Redis
            String latency = info(jedis, "latencystats").get("latency_percentiles_usec_get");
            assertThat(latency).matches("p50=[0-9]+\\.[0-9]{3},p99=[0-9]+\\.[0-9]{3},p99\\.9=[0-9]+\\.[0-9]{3}");
            double p50 = Double.parseDouble(latency.substring(4, latency.indexOf(',')));
            assertThat(p50).isGreaterThan(0.0).isLessThan(1_000_000.0);
        }
    }

    @Test
    void instantaneousOpsFollowTheLoad() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            long deadline = System.nanoTime() + 1_500_000_000L;
            while (System.nanoTime() < deadline) jedis.set("k", "v");
            assertThat(Long.parseLong(info(jedis, "stats").get("instantaneous_ops_per_sec"))).isGreaterThan(100);
        }
    }

    @Test
    void slowlogKeepsTheSlowCommandsNewestFirst() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            jedis.clientSetname("reporter");
            jedis.set("quick", "v"); // far under 10 ms: not logged
            assertThat(jedis.slowlogLen()).isZero();
            StringBuilder big = new StringBuilder();
            for (int i = 0; i < 200_000; i++) big.append("member-").append(i).append(' ');
            String[] members = big.toString().trim().split(" ");
            jedis.sadd("big", members); // 200,000 elements in one command: well over 10 ms
            jedis.del("big");
            long logged = jedis.slowlogLen();
            assertThat(logged).isGreaterThanOrEqualTo(1);
            List<Slowlog> entries = jedis.slowlogGet();
            Slowlog sadd = entries.stream().filter(e -> e.getArgs().getFirst().equalsIgnoreCase("sadd")).findFirst().orElseThrow();
            assertThat(sadd.getExecutionTime()).isGreaterThanOrEqualTo(10_000);
            assertThat(sadd.getArgs()).hasSize(32); // as Redis: 31 arguments, then "... (N more arguments)" for the other 200,002 - 31
            assertThat(sadd.getArgs().getLast()).isEqualTo("... (199971 more arguments)");
            assertThat(sadd.getClientName()).isEqualTo("reporter");
            assertThat(jedis.slowlogReset()).isEqualTo("OK");
            assertThat(jedis.slowlogLen()).isZero();
            assertThatThrownBy(() -> jedis.sendCommand(redis.clients.jedis.Protocol.Command.SLOWLOG, "GET", "-2"))
                    .hasMessageContaining("count should be greater than or equal to -1");

            // the threshold and length change at run time, all or nothing
            assertThatThrownBy(() -> jedis.configSet("slowlog-log-slower-than", "0", "slowlog-max-len", "x"))
                    .hasMessageContaining("slowlog-max-len");
            assertThat(jedis.configGet("slowlog-log-slower-than")).containsEntry("slowlog-log-slower-than", "10000");
            assertThat(jedis.configSet("slowlog-log-slower-than", "0", "slowlog-max-len", "2")).isEqualTo("OK");
            jedis.set("a", "1");
            jedis.get("a");
            jedis.incr("a");
            List<Slowlog> every = jedis.slowlogGet();
            assertThat(every).hasSize(2);
            assertThat(every.getFirst().getArgs()).containsExactly("INCR", "a");
            assertThat(every.get(0).getId()).isGreaterThan(every.get(1).getId());
            assertThatThrownBy(() -> jedis.configSet("port", "1")).hasMessageContaining("Cask sets it at start only");
            assertThatThrownBy(() -> jedis.configSet("no-such-option", "1")).hasMessageContaining("Unknown option");
            assertThat(jedis.configGet("databases")).containsEntry("databases", "16");
        }
    }

    /** Under sync none a pipeline's replies, before and after its first write, leave in one send (they were two). */
    @Test
    void aPipelinedTransactionIsAnsweredInOneSend() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port());
             RawClient raw = new RawClient(server.port())) {
            long before = Long.parseLong(info(jedis, "stats").get("total_writes_processed"));
            raw.send(RawClient.command("MULTI") + RawClient.command("SET", "k", "v") + RawClient.command("INCR", "n") + RawClient.command("EXEC"));
            assertThat(raw.read(36)).isEqualTo("+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n:1\r\n");
            long after = Long.parseLong(info(jedis, "stats").get("total_writes_processed"));
            assertThat(after - before).as("the first INFO's reply, and the transaction's").isEqualTo(2);
        }
    }

    @Test
    void persistenceCountsWritesAndForces() throws Exception {
        CaskOptions always = CaskOptions.defaults().withSyncPolicy(dev.cask.core.SyncPolicy.parse("always"));
        try (TestServer server = TestServer.start(dir, always, null, RespLimits.forValues(CaskOptions.DEFAULT_MAX_VALUE_SIZE),
                TestServer.defaultLimits()); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            Map<String, String> before = info(jedis, "persistence");
            for (int i = 0; i < 10; i++) jedis.set("k" + i, "v");
            jedis.mset("a", "1", "b", "2"); // one batch: one write
            Map<String, String> after = info(jedis, "persistence");
            assertThat(Long.parseLong(after.get("writes")) - Long.parseLong(before.get("writes"))).isEqualTo(11);
            long forces = Long.parseLong(after.get("forces"));
            assertThat(forces - Long.parseLong(before.get("forces"))).as("one client waits for each of its writes").isEqualTo(11);
            assertThat(after.get("writes_per_force"))
                    .isEqualTo(String.format(java.util.Locale.ROOT, "%.2f", (double) Long.parseLong(after.get("writes")) / forces));
            assertThat(after.get("instantaneous_forces_per_sec")).matches("[0-9]+");
        }
    }

    @Test
    void expiredKeysCountsAnExpiredKeyWhenItGoes() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            assertThat(info(jedis, "stats")).containsEntry("expired_keys", "0");
            jedis.psetex("soon", 30, "v");
            jedis.psetex("later", 60_000, "v");
            Thread.sleep(100);
            assertThat(jedis.get("soon")).isNull();
            jedis.set("soon", "again"); // the expired key is replaced: it goes now
            assertThat(info(jedis, "stats")).containsEntry("expired_keys", "1");
            assertThat(info(jedis, "keyspace").get("db0")).startsWith("keys=2,expires=1,");
            assertThat(jedis.configResetStat()).isEqualTo("OK");
            assertThat(info(jedis, "stats")).containsEntry("expired_keys", "0");
        }
    }

    @Test
    void configResetstatStartsTheCountersAgain() throws Exception {
        try (TestServer server = TestServer.start(dir); Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            jedis.get("absent");
            jedis.set("k", "v");
            jedis.get("k");
            assertThat(jedis.configResetStat()).isEqualTo("OK");
            Map<String, String> stats = info(jedis, "stats");
            assertThat(stats).containsEntry("keyspace_hits", "0").containsEntry("keyspace_misses", "0").containsEntry("total_error_replies", "0");
            assertThat(info(jedis, "commandstats")).doesNotContainKey("cmdstat_get");
        }
    }
}

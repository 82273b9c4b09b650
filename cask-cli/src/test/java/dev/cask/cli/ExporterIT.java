package dev.cask.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Debian's prometheus-redis-exporter scrapes a real {@code cask serve}, as it would a Redis: the
 * metrics dashboards chart come out of Cask's INFO with the values of what was really done.
 */
class ExporterIT {
    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    /** The metrics page as name{labels} to value. */
    private static Map<String, Double> scrape(int port) throws Exception {
        java.net.HttpURLConnection page = (java.net.HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/metrics").toURL().openConnection();
        assertThat(page.getResponseCode()).isEqualTo(200);
        String body;
        try (var in = page.getInputStream()) {
            body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Map<String, Double> metrics = new HashMap<>();
        for (String line : body.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) continue;
            int space = line.lastIndexOf(' ');
            metrics.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return metrics;
    }

    @Test
    void theRedisExporterReadsCasksInfo() throws Exception {
        try (ServeProcess serve = ServeProcess.start(dir.resolve("db"), dir); Jedis jedis = new Jedis("127.0.0.1", serve.port())) {
            for (int i = 0; i < 50; i++) jedis.set("key:" + i, "value");
            for (int i = 0; i < 30; i++) jedis.get("key:" + i);
            for (int i = 0; i < 5; i++) jedis.get("absent:" + i);
            jedis.expire("key:0", 1000);
            jedis.psetex("gone", 20, "v");
            Thread.sleep(60);
            jedis.set("gone", "again"); // an expired key replaced: expired_keys counts it
            jedis.del("gone");
            int port = freePort();
            Process exporter = new ProcessBuilder("/usr/bin/prometheus-redis-exporter", "--redis.addr=redis://127.0.0.1:" + serve.port(),
                    "--web.listen-address=127.0.0.1:" + port).redirectErrorStream(true).redirectOutput(dir.resolve("exporter.log").toFile()).start();
            try {
                Map<String, Double> m = null;
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (System.nanoTime() < deadline) {
                    try {
                        m = scrape(port);
                        break;
                    } catch (java.io.IOException notYet) {
                        Thread.sleep(100);
                    }
                }
                assertThat(m).as("the exporter's metrics page").isNotNull();
                assertThat(m.get("redis_up")).isEqualTo(1.0);
                assertThat(m.get("redis_commands_total{cmd=\"set\"}")).isEqualTo(51.0);
                assertThat(m.get("redis_expired_keys_total")).isEqualTo(1.0);
                assertThat(m.get("redis_commands_total{cmd=\"get\"}")).isEqualTo(35.0);
                assertThat(m.get("redis_keyspace_hits_total")).isEqualTo(30.0);
                assertThat(m.get("redis_keyspace_misses_total")).isEqualTo(5.0);
                assertThat(m.get("redis_db_keys{db=\"db0\"}")).isEqualTo(50.0);
                assertThat(m.get("redis_db_keys_expiring{db=\"db0\"}")).isEqualTo(1.0);
                assertThat(m.get("redis_connected_clients")).isGreaterThanOrEqualTo(2.0); // this test's client and the exporter's
                assertThat(m.get("redis_net_input_bytes_total")).isGreaterThan(1000.0);
                assertThat(m.get("redis_net_output_bytes_total")).isGreaterThan(500.0);
                assertThat(m.get("redis_memory_used_bytes")).isGreaterThan(0.0);
                assertThat(m.get("redis_uptime_in_seconds")).isGreaterThanOrEqualTo(0.0);
                assertThat(m.keySet()).as("latencystats, as the exporter reads them").anyMatch(k -> k.startsWith("redis_latency_percentiles_usec") && k.contains("cmd=\"set\""));
                assertThat(m.keySet()).as("commandstats' times").contains("redis_commands_duration_seconds_total{cmd=\"get\"}");
            } finally {
                exporter.destroy();
                exporter.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}

package dev.cask.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * {@code --config FILE} in redis.conf syntax, the password kept out of argv, global options after
 * the subcommand, and the log with its level and file: the real jar, real processes.
 */
class ConfigIT {
    @TempDir
    Path scratch;

    /** Every directive Cask reads, each set away from its default, and what CONFIG GET must answer for it. */
    private Map<String, String[]> everySetting(Path db) {
        Map<String, String[]> s = new LinkedHashMap<>(); // directive -> {value in the file, CONFIG GET's answer}
        s.put("dir", new String[] {db.toString(), db.toString()});
        s.put("port", new String[] {"0", null}); // the port the system picked
        s.put("bind", new String[] {"127.0.0.1", "127.0.0.1"});
        s.put("requirepass", new String[] {"\"two words\"", "********"});
        s.put("protected-mode", new String[] {"yes", "yes"});
        s.put("appendfsync", new String[] {"everysec", "everysec"});
        s.put("appendonly", new String[] {"yes", "yes"});
        s.put("maxclients", new String[] {"321", "321"});
        s.put("timeout", new String[] {"45", "45"});
        s.put("proto-max-bulk-len", new String[] {"32mb", Long.toString(32L << 20)});
        s.put("max-multibulk-len", new String[] {"5000", "5000"});
        s.put("client-query-buffer-limit", new String[] {"512mb", Long.toString(512L << 20)});
        s.put("client-output-buffer-limit", new String[] {"normal 100mb 0 0", "normal " + (100L << 20) + " 0 0 replica 0 0 0 pubsub 0 0 0"});
        s.put("maxmemory-clients", new String[] {"300mb", Long.toString(300L << 20)});
        s.put("transport", new String[] {"nio", "nio"});
        s.put("slowlog-log-slower-than", new String[] {"2500", "2500"});
        s.put("slowlog-max-len", new String[] {"64", "64"});
        s.put("list-cache", new String[] {"3mb", Long.toString(3L << 20)});
        s.put("databases", new String[] {"16", "16"});
        s.put("save", new String[] {"\"\"", ""});
        s.put("daemonize", new String[] {"no", null});
        s.put("loglevel", new String[] {"warning", "warning"});
        s.put("logfile", new String[] {"\"\"", ""});
        s.put("max-file-size", new String[] {"64mb", Long.toString(64L << 20)});
        s.put("max-key-size", new String[] {"2kb", "2048"});
        s.put("max-value-size", new String[] {"32mb", Long.toString(32L << 20)});
        s.put("use-hints", new String[] {"no", "no"});
        s.put("auto-merge", new String[] {"no", "no"});
        s.put("merge-fragmentation", new String[] {"0.75", "0.75"});
        s.put("merge-min-dead-bytes", new String[] {"1gb", Long.toString(1L << 30)});
        s.put("reserved-bytes", new String[] {"16mb", Long.toString(16L << 20)});
        s.put("prepare-ahead", new String[] {"4mb", Long.toString(4L << 20)});
        s.put("warm-tail", new String[] {"yes", "yes"}); // serve's default is no
        s.put("recovery-mode", new String[] {"point-in-time", "point-in-time"});
        return s;
    }

    @Test
    void everySettingGoesFromTheFileToConfigGet() throws Exception {
        Path db = scratch.resolve("db");
        Map<String, String[]> settings = everySetting(db);
        StringBuilder file = new StringBuilder("# every setting Cask reads, away from its default\n\n");
        int line = 0;
        for (Map.Entry<String, String[]> e : settings.entrySet()) { // names in any case, as Redis reads them
            String name = line++ % 2 == 0 ? e.getKey() : e.getKey().toUpperCase(java.util.Locale.ROOT);
            file.append(name).append("   ").append(e.getValue()[0]).append('\n');
        }
        Path conf = Files.writeString(scratch.resolve("cask.conf"), file);
        java.util.Set<String> covered = new java.util.HashSet<>(settings.keySet());
        covered.add("sync"); // sync and appendfsync exclude each other: the next test sets sync
        assertThat(ConfigFile.KNOWN).isEqualTo(covered);
        try (ServeProcess s = ServeProcess.startCask(scratch, Map.of(), "--config", conf.toString(), "serve");
             Jedis jedis = new Jedis("127.0.0.1", s.port())) {
            jedis.auth("two words");
            Map<String, String> all = jedis.configGet("*");
            settings.forEach((name, v) -> {
                if (v[1] != null) assertThat(all).as(name).containsEntry(name, v[1]);
            });
            assertThat(all).containsEntry("port", Integer.toString(s.port())).containsEntry("sync", "interval:1000");
            String cmdline = Files.readString(Path.of("/proc/" + s.process().pid() + "/cmdline"));
            assertThat(cmdline).doesNotContain("two words");
        }
    }

    @Test
    void flagsWinOverTheEnvironmentWhichWinsOverTheFile() throws Exception {
        Path db = scratch.resolve("db");
        Path conf = Files.writeString(scratch.resolve("cask.conf"), "port 0\ndir " + db + "\nmaxclients 50\nrequirepass fromfile\ntimeout 7\nsync every:8\n");
        try (ServeProcess s = ServeProcess.startCask(scratch, Map.of(ServerSettings.PASSWORD_VARIABLE, "fromenv"), "--config", conf.toString(),
                "serve", "--maxclients", "60");
             Jedis jedis = new Jedis("127.0.0.1", s.port())) {
            assertThatThrownBy(() -> jedis.auth("fromfile")).hasMessageContaining("WRONGPASS");
            assertThat(jedis.auth("fromenv")).isEqualTo("OK");
            assertThat(jedis.configGet("maxclients")).containsEntry("maxclients", "60");
            assertThat(jedis.configGet("timeout")).containsEntry("timeout", "7");
            assertThat(jedis.configGet("dir")).containsEntry("dir", db.toString());
            assertThat(jedis.configGet("sync")).containsEntry("sync", "every:8");
        }
    }

    @Test
    void theShippedConfigFileIsValid() throws Exception {
        Path shipped = Path.of("..", "packaging", "cask.conf");
        // its dir and port are the service's: flags win over the file, so the test's own take their place
        try (ServeProcess s = ServeProcess.startCask(scratch, Map.of(), "--config", shipped.toString(), "serve", "--dir",
                scratch.resolve("db").toString(), "--port", "0", "--transport", "nio");
             Jedis jedis = new Jedis("127.0.0.1", s.port())) {
            assertThat(jedis.configGet("sync")).containsEntry("sync", "always");
            assertThat(jedis.configGet("maxclients")).containsEntry("maxclients", "10000");
            assertThat(jedis.configGet("loglevel")).containsEntry("loglevel", "notice");
        }
        assertThat(Files.readString(Path.of("..", "packaging", "cask.service"))).contains("--config /etc/cask/cask.conf serve")
                .contains("EnvironmentFile=-/etc/cask/cask.env").doesNotContain("--requirepass");
    }

    @Test
    void aPasswordOnTheCommandLineIsWarnedAbout() throws Exception {
        try (ServeProcess s = ServeProcess.startCask(scratch, Map.of(), "--dir", scratch.resolve("db").toString(), "serve", "--port", "0",
                "--requirepass", "visible");
             Jedis jedis = new Jedis("127.0.0.1", s.port())) {
            assertThat(jedis.auth("visible")).isEqualTo("OK");
            assertThat(s.errors()).contains("every user of this machine can read it in ps");
        }
    }

    @Test
    void aBadFileIsRefusedWithItsLineAndOpensNothing() throws Exception {
        Path db = scratch.resolve("never");
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("maxmemory-policy allkeys-lru\n", ":3: unknown directive 'maxmemory-policy'");
        cases.put("save 900 1\n", ":3: 'save' snapshots do not apply");
        cases.put("appendfsync sometimes\n", ":3: 'appendfsync' must be always, everysec or no");
        cases.put("appendonly no\n", ":3: 'appendonly' must be yes");
        cases.put("requirepass \"open\n", ":3: unbalanced quotes");
        cases.put("maxclients many\n", ":3: 'maxclients' 'many' is not an integer");
        cases.put("max-file-size 12parsecs\n", ":3: 'max-file-size' '12parsecs' is not a byte count");
        cases.put("use-hints maybe\n", ":3: 'use-hints' must be yes or no");
        cases.put("include other.conf\n", ":3: include is not supported");
        cases.put("client-output-buffer-limit normal 1mb 512kb 10\n", ":3: 'client-output-buffer-limit' Cask has no soft limit");
        cases.put("databases 32\n", ":3: 'databases' must be 16");
        cases.put("timeout\n", ":3: 'timeout' needs a value");
        cases.put("loglevel loud\n", "loglevel must be debug, verbose, notice, warning or nothing");
        int i = 0;
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path conf = Files.writeString(scratch.resolve("bad" + i++ + ".conf"), "# line 1\ndir " + db + "\n" + c.getKey());
            CaskProcess.Result r = CaskProcess.run("--config", conf.toString(), "serve", "--port", "0");
            assertThat(r.exitCode()).as(c.getKey()).isEqualTo(2);
            assertThat(r.stderr()).as(c.getKey()).contains(c.getValue());
            assertThat(r.stderr()).as(c.getKey()).doesNotContain("\tat ");
        }
        CaskProcess.Result missing = CaskProcess.run("--config", scratch.resolve("absent.conf").toString(), "keys");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.stderr()).contains("cannot read the config file");
        assertThat(db).doesNotExist();
    }

    @Test
    void globalOptionsComeBeforeOrAfterTheSubcommand() throws Exception {
        Path db = scratch.resolve("db");
        assertThat(CaskProcess.run("set", "k", "v1", "--dir", db.toString(), "--sync", "always").exitCode()).isZero();
        assertThat(CaskProcess.run("--dir", db.toString(), "get", "k").out()).isEqualTo("v1");
        assertThat(CaskProcess.run("get", "k", "--dir", db.toString()).out()).isEqualTo("v1");
        Path conf = Files.writeString(scratch.resolve("cask.conf"), "dir " + db + "\nport 6399\n"); // serve's port: other commands skip it
        assertThat(CaskProcess.run("get", "k", "--config", conf.toString()).out()).isEqualTo("v1");
        assertThat(CaskProcess.run("--config", conf.toString(), "keys").out()).isEqualTo("k\n");
        CaskProcess.Result both = CaskProcess.run("--dir", scratch.resolve("other").toString(), "get", "k", "--dir", db.toString());
        assertThat(both.out()).isEqualTo("v1"); // the last one given wins
    }

    @Test
    void theLogHasATimeAndALevelPerLineAndGoesToTheLogfile() throws Exception {
        Path log = scratch.resolve("cask.log");
        Files.writeString(log, "an older line\n");
        ServeProcess s = ServeProcess.startCask(scratch, Map.of(), "--dir", scratch.resolve("db").toString(), "serve", "--port", "0",
                "--logfile", log.toString(), "--loglevel", "notice");
        try (Jedis jedis = new Jedis("127.0.0.1", s.port())) {
            assertThat(jedis.configGet("logfile")).containsEntry("logfile", log.toString());
            assertThat(jedis.configGet("loglevel")).containsEntry("loglevel", "notice");
            assertThat(jedis.configSet("loglevel", "warning")).isEqualTo("OK");
            jedis.shutdown();
        } catch (redis.clients.jedis.exceptions.JedisConnectionException expected) {
            // SHUTDOWN closes the connection
        }
        assertThat(s.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertThat(lines.getFirst()).isEqualTo("an older line"); // appended, as Redis's logfile
        assertThat(lines).noneMatch(l -> l.contains("stopped")); // INFO, and the level was raised to warning before it
        assertThat(s.errors()).isEmpty();

        ServeProcess again = ServeProcess.startCask(scratch, Map.of(), "--dir", scratch.resolve("db").toString(), "serve", "--port", "0",
                "--logfile", log.toString());
        again.process().toHandle().destroy(); // SIGTERM
        assertThat(again.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<String> after = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertThat(after.subList(lines.size(), after.size()))
                .anyMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO \\[main\\] shutting down: .*"))
                .anyMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO \\[main\\] stopped"))
                .allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z [A-Z]+ \\[[^]]+\\] .*"));
    }
}

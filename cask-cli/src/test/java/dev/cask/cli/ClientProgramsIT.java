package dev.cask.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client programs of docs/CLIENTS.md (Jedis, Lettuce, redis-py), each run as its own process
 * against a real {@code cask serve}, exactly as the page shows them: the page must hold each
 * program's source verbatim.
 */
class ClientProgramsIT {
    @TempDir
    Path dir;

    private static final Path JEDIS = Path.of("src/test/java/dev/cask/cli/clients/JedisProgram.java");
    private static final Path LETTUCE = Path.of("src/test/java/dev/cask/cli/clients/LettuceProgram.java");
    private static final Path REDIS_PY = Path.of("src/test/python/redis_py_program.py");

    private String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + " said:\n" + out).isZero();
        return out;
    }

    private List<String> java(String mainClass, int port) {
        return new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                mainClass, Integer.toString(port)));
    }

    @Test
    void jedisLettuceAndRedisPyRunTheirProgramsUnchanged() throws Exception {
        try (ServeProcess s = ServeProcess.start(dir.resolve("db"), dir, "--sync", "always")) {
            assertThat(run(java("dev.cask.cli.clients.JedisProgram", s.port()))).contains("jedis: all checks passed");
            assertThat(run(java("dev.cask.cli.clients.LettuceProgram", s.port()))).contains("lettuce: all checks passed");
            // Debian's python, which has Debian's python3-redis, whatever python3 comes first on PATH
            String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
            assertThat(run(List.of(python, REDIS_PY.toString(), Integer.toString(s.port())))).contains("redis-py: all checks passed");
        }
    }

    @Test
    void docsShowExactlyThePrograms() throws Exception {
        String page = Files.readString(Path.of("..", "docs", "CLIENTS.md"));
        for (Path program : List.of(JEDIS, LETTUCE, REDIS_PY)) {
            assertThat(page).as(program + " verbatim in docs/CLIENTS.md").contains(Files.readString(program).strip());
        }
    }
}

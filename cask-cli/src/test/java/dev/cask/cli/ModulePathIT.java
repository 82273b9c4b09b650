package dev.cask.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The modules' descriptors, used for real: the engine requires nothing but java.base, and the
 * command line runs from the module path (not the fat jar) with every module resolved from its
 * descriptor, picocli reaching its options and the log backend found as a service.
 */
class ModulePathIT {
    @TempDir
    Path scratch;

    /**
     * Each module's compiled classes (the runnable jar on the test class path merges them all, so
     * the modules are taken from the build's directories), and the jars of picocli, HdrHistogram, JFreeChart and Gson.
     */
    private static List<Path> modulePath() {
        List<Path> path = new ArrayList<>();
        for (String module : List.of("cask-core", "cask-server", "cask-fs", "cask-lab")) path.add(Path.of("..", module, "target", "classes"));
        path.add(Path.of("target", "classes"));
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (name.startsWith("picocli-4") || name.startsWith("HdrHistogram-") || name.startsWith("jfreechart-") || name.startsWith("gson-")) {
                path.add(Path.of(entry));
            }
        }
        assertThat(path).hasSize(9).allMatch(java.nio.file.Files::exists);
        return path;
    }

    @Test
    void theEngineRequiresOnlyJavaBase() {
        ModuleDescriptor core = ModuleFinder.of(modulePath().getFirst()).find("dev.cask.core").orElseThrow().descriptor();
        assertThat(core.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet())).isEqualTo(Set.of("java.base"));
        assertThat(core.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()))
                .isEqualTo(Set.of("dev.cask.core", "dev.cask.core.io"));
    }

    @Test
    void theCommandLineRunsFromTheModulePath() throws Exception {
        String modules = modulePath().stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator));
        Path db = scratch.resolve("db");
        assertThat(run(modules, "--version").out).startsWith("cask ");
        Result set = run(modules, "set", "k", "v", "--dir", db.toString());
        assertThat(set.code).as(set.err).isZero();
        Result get = run(modules, "get", "k", "--dir", db.toString());
        assertThat(get.out).isEqualTo("v");
        // no --enable-native-access was given: the engine works without it, and the JDK has nothing to warn about
        assertThat(set.err + get.err).doesNotContain("restricted method");
        Result bad = run(modules, "--dir", db.toString(), "--loglevel", "loud", "keys");
        assertThat(bad.code).isEqualTo(2);
        assertThat(bad.err).contains("loglevel must be debug, verbose, notice, warning or nothing");
    }

    private record Result(int code, String out, String err) {}

    private Result run(String modules, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "--module-path", modules,
                "-m", "dev.cask.cli/dev.cask.cli.Main"));
        command.addAll(List.of(args));
        Path err = scratch.resolve("err-" + System.nanoTime());
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out, java.nio.file.Files.readString(err));
    }
}

package dev.cask.core;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Starts a class's main in a fresh JVM with this test's classpath, for crash and lock tests. */
public final class ChildJvm {
    private ChildJvm() {}

    public static Process start(Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx256m");
        command.add("--enable-native-access=ALL-UNNAMED"); // as the cask jar: puts go through the write mapping
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}

package dev.cask.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A running {@code cask serve} from the real jar; its stderr goes to a file the test can read. */
record ServeProcess(Process process, int port, Path stderr) implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on [^ ]+:(\\d+)");

    /** {@code [prefix...] java [jvmArgs] -jar cask.jar --dir DB serve --port 0 EXTRA...}: prefix is e.g. a shell that sets ulimit. */
    static ServeProcess start(Path db, Path scratch, List<String> prefix, List<String> jvmArgs, String... extra) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmArgs);
        command.addAll(List.of("-jar", CaskProcess.jar().toString(), "--dir", db.toString(), "serve", "--port", "0"));
        command.addAll(List.of(extra));
        return start(scratch, java.util.Map.of(), command);
    }

    /** {@code java -jar cask.jar ARGS...} with these environment variables added; the arguments or a config file set port 0. */
    static ServeProcess startCask(Path scratch, java.util.Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar", CaskProcess.jar().toString()));
        command.addAll(List.of(args));
        return start(scratch, env, command);
    }

    private static ServeProcess start(Path scratch, java.util.Map<String, String> env, List<String> command) throws IOException {
        Path stderr = scratch.resolve("serve-" + System.nanoTime() + ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
        builder.environment().putAll(env);
        Process p = builder.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        if (first == null) throw new IllegalStateException("cask serve exited: " + Files.readString(stderr));
        Matcher m = LISTENING.matcher(first);
        if (!m.find()) throw new IllegalStateException("unexpected first line: " + first);
        Thread.ofPlatform().daemon().start(() -> { // keep draining stdout
            try {
                while (out.readLine() != null) { /* the second startup line and nothing more */ }
            } catch (IOException ignored) {
                // process gone
            }
        });
        return new ServeProcess(p, Integer.parseInt(m.group(1)), stderr);
    }

    static ServeProcess start(Path db, Path scratch, String... extra) throws IOException {
        return start(db, scratch, List.of(), List.of(), extra);
    }

    String errors() throws IOException {
        return Files.readString(stderr);
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

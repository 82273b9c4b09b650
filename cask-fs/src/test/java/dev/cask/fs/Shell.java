package dev.cask.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs everyday tools (bash, cp, tar, git...) as a user would, and fails with their output if they fail. */
final class Shell {
    private Shell() {
    }

    static String run(Path cwd, String script) {
        try {
            Process p = new ProcessBuilder("bash", "-c", "set -euo pipefail\n" + script).directory(cwd.toFile())
                    .redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + script);
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) throw new AssertionError("exit " + p.exitValue() + " from:\n" + script + "\noutput:\n" + text);
            return text;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}

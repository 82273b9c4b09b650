package dev.cask.cli;

import dev.cask.core.Progress;
import java.io.PrintStream;

/**
 * A progress bar on stderr, drawn only when stderr's process has a terminal (so pipes, files
 * and CI logs stay clean), redrawn at most ten times a second.
 */
final class TerminalProgress implements Progress, AutoCloseable {
    private static final int WIDTH = 30;
    private final String label;
    private final PrintStream out = System.err;
    private final boolean enabled;
    private long lastDraw;
    private boolean drawn;

    private TerminalProgress(String label, boolean enabled) {
        this.label = label;
        this.enabled = enabled;
    }

    @SuppressWarnings("SystemConsoleNull") // null still, without a console, where jdk.console selects the old implementation
    static TerminalProgress start(String label) {
        java.io.Console console = System.console();
        return new TerminalProgress(label, console != null && console.isTerminal());
    }

    @Override
    public void update(long done, long total) {
        if (!enabled) return;
        long now = System.nanoTime();
        if (drawn && now - lastDraw < 100_000_000L && done < total) return;
        lastDraw = now;
        drawn = true;
        double fraction = total <= 0 ? 1 : Math.min(1, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        out.printf("\r%s [%s%s] %3d%% %s / %s", label, "#".repeat(filled), " ".repeat(WIDTH - filled), Math.round(fraction * 100),
                human(done), human(total));
        out.flush();
    }

    static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, units[u]);
    }

    /** Clears the bar so that what is printed next starts on a clean line. */
    @Override
    public void close() {
        if (enabled && drawn) {
            out.print("\r" + " ".repeat(label.length() + WIDTH + 40) + "\r");
            out.flush();
        }
    }
}

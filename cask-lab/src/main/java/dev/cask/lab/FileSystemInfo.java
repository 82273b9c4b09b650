package dev.cask.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The file system type and device a directory lives on, from {@code /proc/self/mountinfo}. */
public record FileSystemInfo(String mountPoint, String type, String device) {

    public boolean isTmpfs() {
        return type.equals("tmpfs") || type.equals("ramfs");
    }

    public static FileSystemInfo of(Path dir) throws IOException {
        Path real = dir.toRealPath();
        List<String> lines = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        FileSystemInfo best = new FileSystemInfo("?", "unknown", "unknown");
        int bestLength = -1;
        for (String line : lines) {
            // id parent major:minor root mountpoint options [optional...] - type source superoptions
            String[] parts = line.split(" ");
            int dash = List.of(parts).indexOf("-");
            if (parts.length < 5 || dash < 0 || dash + 2 >= parts.length) continue;
            String mount = parts[4].replace("\\040", " ");
            boolean covers = real.toString().equals(mount) || real.startsWith(mount);
            if (covers && mount.length() > bestLength) {
                bestLength = mount.length();
                best = new FileSystemInfo(mount, parts[dash + 1], parts[dash + 2]);
            }
        }
        return best;
    }

    @Override
    public String toString() {
        return type + " on " + device + " (mounted at " + mountPoint + ")";
    }
}

package dev.cask.fs;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The checks a mount point must pass before libfuse is asked to mount on it. */
public final class MountPoint {
    private MountPoint() {
    }

    /** Why {@code dir} cannot be mounted on, or null if it can. */
    public static String problem(Path dir) {
        try {
            Files.readAttributes(dir, "basic:isDirectory", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return "mount point " + dir + " does not exist";
        } catch (FileSystemException e) {
            String reason = e.getReason() == null ? "" : e.getReason();
            if (reason.contains("not connected")) {
                return "mount point " + dir + " is a dead FUSE mount (its server is gone); clear it with: fusermount3 -u " + dir;
            }
            return "mount point " + dir + ": " + reason;
        } catch (IOException e) {
            return "mount point " + dir + ": " + e;
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return "mount point " + dir + " is not a directory";
        if (isMounted(dir)) return "mount point " + dir + " is already mounted";
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            if (entries.iterator().hasNext()) return "mount point " + dir + " is not empty";
        } catch (IOException e) {
            return "mount point " + dir + " cannot be listed: " + e;
        }
        return null;
    }

    /** Whether some mount's target is {@code dir}, from /proc/self/mountinfo (field 5, octal escapes decoded). */
    public static boolean isMounted(Path dir) {
        return device(dir) != null;
    }

    /** The "major:minor" of what is mounted on {@code dir} (mountinfo field 3), or null. */
    static String device(Path dir) {
        try {
            String want = dir.toRealPath().toString();
            String found = null;
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4 && unescape(f[4]).equals(want)) found = f[2]; // the last one is on top
            }
            return found;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Raises the kernel's readahead for the mount on {@code dir} to {@code kib}: FUSE starts at
     * 128 KiB and cannot ask for more at init, but the kernel then sends reads of up to 1 MiB,
     * a quarter fewer round trips per byte. Needs root; returns what happened, for the log.
     */
    public static String raiseReadAhead(Path dir, int kib) {
        String dev = device(dir);
        if (dev == null) return "readahead unchanged: " + dir + " is not mounted";
        Path knob = Path.of("/sys/class/bdi", dev, "read_ahead_kb");
        try {
            Files.writeString(knob, Integer.toString(kib));
            return "readahead " + kib + " KiB";
        } catch (IOException | SecurityException e) {
            return "readahead unchanged (" + knob + ": " + e.getMessage() + ")";
        }
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}

package dev.cask.core.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Every file operation the engine makes goes through this interface, so that tests and the
 * labs can watch or intercept it: fail a {@code force}, run out of space, record each write
 * to replay crash states.
 *
 * <p>The engine never touches {@code java.nio.file.Files} or {@code FileChannel} for its data
 * directly; the only exception is the directory lock, which must be a real OS lock.
 */
public interface FileLayer {

    /** Opens (and with a writing mode, creates if missing) a file. */
    DataFile open(Path path, OpenMode mode) throws IOException;

    /** The names of the regular files in {@code dir}, sorted. */
    List<String> list(Path dir) throws IOException;

    /** Atomically replaces {@code target} with {@code source}. */
    void rename(Path source, Path target) throws IOException;

    /** Makes {@code link} a second name (a hard link) of {@code existing}. */
    void link(Path existing, Path link) throws IOException;

    /** Deletes a file; a missing file is not an error. */
    void delete(Path path) throws IOException;

    /** Makes the directory's entries (creates, renames, deletes) durable. */
    void syncDirectory(Path dir) throws IOException;

    /** Creates the directory and its parents if missing. */
    void createDirectories(Path dir) throws IOException;

    /** The real thing: {@code FileChannel} on the default file system. */
    static FileLayer real() {
        return RealFileLayer.INSTANCE;
    }

    /** Bytes an unprivileged writer may still use on the file system holding {@code dir} (statfs). */
    default long usableSpace(Path dir) throws IOException {
        return java.nio.file.Files.getFileStore(dir).getUsableSpace();
    }

    /**
     * Creates {@code dir} and any missing parents, and makes each new entry durable by syncing the
     * directory that holds it: a new directory is not on disk until its parent was synced, and a
     * power cut would otherwise take it (and every file synced inside it) away.
     */
    default void createDirectoriesDurably(Path dir) throws IOException {
        Path wanted = dir.toAbsolutePath();
        Path existing = wanted;
        while (existing != null && !java.nio.file.Files.isDirectory(existing)) existing = existing.getParent();
        createDirectories(dir);
        for (Path p = wanted; p != null && !p.equals(existing) && p.getParent() != null; p = p.getParent()) syncDirectory(p.getParent());
    }
}

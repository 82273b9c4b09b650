package dev.cask.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * One writer per directory: an OS lock on {@code cask.lock}, which also holds the holder's pid
 * for the error message. The OS drops the lock when its process dies, so a pid left in the file
 * with no lock held means the previous holder died without closing: that lock is stale and is
 * taken over. A clean close empties the file.
 *
 * <p>Within one JVM the lock is kept in a registry of held lock files, checked <em>before</em>
 * any channel to the file is opened. The OS lock is a POSIX record lock, owned by the process:
 * closing <em>any</em> descriptor of the file releases it, so a second open in the same process
 * that merely opened and closed the file would hand the database to another process.
 */
final class DirectoryLock implements AutoCloseable {
    /** The lock files this JVM holds, by real path; guarded by itself. */
    private static final Set<Path> HELD = new HashSet<>();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;
    private final long stalePid;

    private DirectoryLock(Path key, FileChannel channel, FileLock lock, long stalePid) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
        this.stalePid = stalePid;
    }

    static DirectoryLock acquire(Path dir) throws IOException {
        Path path = dir.resolve(SegmentNames.LOCK_FILE);
        if (!Files.exists(path)) Files.newByteChannel(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE).close();
        Path key = path.toRealPath();
        synchronized (HELD) {
            if (!HELD.add(key)) {
                throw new DatabaseLockedException("database " + dir + " is already open in this process (pid "
                        + ProcessHandle.current().pid() + ")", ProcessHandle.current().pid());
            }
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            long recorded = readPid(channel);
            if (lock == null) {
                throw new DatabaseLockedException("database " + dir + " is locked by another process"
                        + (recorded > 0 ? " (pid " + recorded + ")" : "") + "; only one process may open it for writing", recorded);
            }
            byte[] mine = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(mine), 0);
            channel.force(true);
            return new DirectoryLock(key, channel, lock, recorded);
        } catch (IOException | RuntimeException e) {
            // this process did not hold the lock before (the registry says so): closing loses nothing
            if (channel != null) channel.close();
            synchronized (HELD) {
                HELD.remove(key);
            }
            throw e;
        }
    }

    private static long readPid(FileChannel channel) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(32);
        channel.read(buf, 0);
        String text = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
        try {
            return text.isEmpty() ? -1 : Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The pid of a dead holder whose lock was taken over, or -1. */
    long stalePid() {
        return stalePid;
    }

    @Override
    public void close() throws IOException {
        try {
            channel.truncate(0);
            lock.release();
        } finally {
            try {
                channel.close();
            } finally {
                synchronized (HELD) {
                    HELD.remove(key);
                }
            }
        }
    }
}

package dev.cask.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One writer per directory: an OS lock on {@code cask.lock}, which also holds the holder's pid
 * for the error message. The OS drops the lock when its process dies, so a pid left in the file
 * with no lock held means the previous holder died without closing: that lock is stale and is
 * taken over. A clean close empties the file.
 */
final class DirectoryLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;
    private final long stalePid;

    private DirectoryLock(FileChannel channel, FileLock lock, long stalePid) {
        this.channel = channel;
        this.lock = lock;
        this.stalePid = stalePid;
    }

    static DirectoryLock acquire(Path dir) throws IOException {
        Path path = dir.resolve(SegmentNames.LOCK_FILE);
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                throw new DatabaseLockedException("database " + dir + " is already open in this process (pid "
                        + ProcessHandle.current().pid() + ")", ProcessHandle.current().pid());
            }
            long recorded = readPid(channel);
            if (lock == null) {
                throw new DatabaseLockedException("database " + dir + " is locked by another process"
                        + (recorded > 0 ? " (pid " + recorded + ")" : "") + "; only one process may open it for writing", recorded);
            }
            byte[] mine = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(mine), 0);
            channel.force(true);
            return new DirectoryLock(channel, lock, recorded);
        } catch (IOException | RuntimeException e) {
            channel.close();
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
            channel.close();
        }
    }
}

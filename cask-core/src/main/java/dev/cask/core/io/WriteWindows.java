package dev.cask.core.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The grown tail of one writable file, reserved with {@code fallocate} and mapped shared for
 * writes, so that an append is a copy into the page cache and no system call (issue 18: the
 * {@code pwrite} was 70% of a put's time). The copy is in the page cache when it returns, as a
 * {@code pwrite}'s bytes are, so a killed process loses nothing more than before; {@code fsync}
 * and {@code fdatasync} of the file write back the pages a mapping dirtied as they do any other.
 *
 * <p>The windows cover one contiguous stretch {@code [start, end)}, each window one reservation.
 * A write that falls wholly inside it is copied; any other write goes to the channel as before.
 * A cut of the file ({@link #drop}) unmaps everything first: the mapping never covers bytes the
 * file no longer has. The engine calls this under its write lock; the methods are synchronized
 * anyway, because a close may come from another thread.
 */
final class WriteWindows {
    /**
     * Appends of this many bytes or more go to the channel even inside the mapped stretch: a
     * system call saved is worth less than the faults of the pages they fill (a store into a new
     * page of a shared mapping is a page fault and a {@code page_mkwrite}, dearer per page than
     * the write path; batches of 100 records were 1.4-1.5M puts/s by {@code pwrite}, 0.9-1.1M
     * through the mapping).
     */
    private static final int MAX_COPY = 2048;
    /** Reservations past this size are not mapped (a mapping's length is an int as a ByteBuffer). */
    private static final long MAX_WINDOW = 1L << 30;

    private final Path path;
    /** The descriptor fallocate uses; -1 once closed (a second close must never close a number the process reused). */
    private int fd;
    /** One window per reservation, oldest first, each with its own arena so that it can be unmapped alone. */
    private final List<ByteBuffer> windows = new ArrayList<>();
    private final List<Long> starts = new ArrayList<>();
    private final List<Arena> arenas = new ArrayList<>();
    private long start;
    private long end;
    /** Where the last copy ended: windows wholly before it are never written again. */
    private long written;

    private WriteWindows(Path path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /** Windows for {@code path}, or null where {@code fallocate} is not available (then every write is a {@code pwrite}). */
    static WriteWindows open(Path path) {
        if (!Fallocate.AVAILABLE) return null;
        int fd = Fallocate.open(path);
        return fd < 0 ? null : new WriteWindows(path, fd);
    }

    /**
     * Reserves {@code [from, to)} (the file's size is {@code from}) and maps it. Returns false, with
     * nothing mapped, if the reservation failed (a full disk, a file system without fallocate): the
     * caller then grows the file with a hole, and the writes there go to the channel. Windows the
     * writer has passed are unmapped here: appends only go forward, and a 2 GiB segment must not
     * keep 2 GiB mapped (nor count it as the JVM's mapped memory).
     */
    synchronized boolean reserve(FileChannel channel, long from, long to) throws java.nio.channels.ClosedChannelException {
        if (to - from > MAX_WINDOW || fd < 0) return false;
        try {
            Fallocate.reserve(fd, from, to - from, path);
        } catch (IOException e) {
            return false;
        }
        if (from != end || windows.isEmpty()) { // not next to what is mapped: start a new stretch
            unmapAll();
            start = from;
        }
        retirePassed();
        Arena arena = Arena.ofShared();
        try {
            windows.add(channel.map(FileChannel.MapMode.READ_WRITE, from, to - from, arena).asByteBuffer());
        } catch (java.nio.channels.ClosedChannelException e) {
            arena.close();
            unmapAll();
            throw e; // an interrupt closed the channel: the caller reopens it (the range stays reserved, written by pwrite)
        } catch (IOException | RuntimeException e) {
            arena.close();
            unmapAll(); // reserved, not mapped: the channel writes it
            return true;
        }
        arenas.add(arena);
        starts.add(from);
        end = to;
        return true;
    }

    /** Unmaps the oldest windows while they end at or before the last copy's end. */
    private void retirePassed() {
        while (!windows.isEmpty() && starts.getFirst() + windows.getFirst().capacity() <= written) {
            arenas.removeFirst().close();
            windows.removeFirst();
            starts.removeFirst();
            start = windows.isEmpty() ? end : starts.getFirst();
        }
    }

    /**
     * Copies all of {@code src} to {@code position} if the mapped stretch holds the whole range;
     * returns false, having copied nothing, if it does not.
     */
    synchronized boolean write(ByteBuffer src, long position) throws IOException {
        int length = src.remaining();
        if (windows.isEmpty() || length >= MAX_COPY || position < start || position + length > end) return false;
        int i = windows.size() - 1;
        while (starts.get(i) > position) i--;
        int from = src.position();
        long at = position;
        try {
            while (length > 0) {
                ByteBuffer window = windows.get(i);
                int offset = (int) (at - starts.get(i));
                int n = Math.min(length, window.capacity() - offset);
                window.put(offset, src, from, n);
                from += n;
                at += n;
                length -= n;
                i++;
            }
        } catch (InternalError e) { // the JVM's report of a SIGBUS in the copy: an I/O error on the page, or the file cut under us
            throw new IOException("write of " + src.remaining() + " bytes at " + position + " of " + path + " through its mapping failed: " + e, e);
        }
        src.position(src.limit());
        written = Math.max(written, at);
        return true;
    }

    /** Told where a write through the channel ended, so that the windows it passed are unmapped too. */
    synchronized void wrote(long endOfWrite) {
        written = Math.max(written, endOfWrite);
    }

    /** Unmaps everything at and past {@code size}; called before the file is cut to it. */
    synchronized void drop(long size) {
        if (size < end) unmapAll();
        written = Math.min(written, size);
    }

    synchronized void close() {
        unmapAll();
        Fallocate.close(fd);
        fd = -1;
    }

    private void unmapAll() {
        for (Arena arena : arenas) arena.close();
        arenas.clear();
        windows.clear();
        starts.clear();
        start = 0;
        end = 0;
    }
}

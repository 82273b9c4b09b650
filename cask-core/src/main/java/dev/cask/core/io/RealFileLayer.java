package dev.cask.core.io;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/** {@link FileLayer} over {@code FileChannel} on the default file system. */
final class RealFileLayer implements FileLayer {
    static final RealFileLayer INSTANCE = new RealFileLayer();

    private RealFileLayer() {}

    @Override
    public DataFile open(Path path, OpenMode mode) throws IOException {
        // a RandomAccessFile, for its setLength: FileChannel can cut a file but not grow it without writing
        String access = switch (mode) {
            case READ -> "r";
            case WRITE_SYNC -> "rws";
            case WRITE_DSYNC -> "rwd";
            default -> "rw";
        };
        if (!mode.writable() && !Files.exists(path)) throw new NoSuchFileException(path.toString());
        return new ChannelFile(path, access);
    }

    @Override
    public List<String> list(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void link(Path existing, Path link) throws IOException {
        Files.createLink(link, existing);
    }

    @Override
    public void delete(Path path) throws IOException {
        try {
            Files.delete(path);
        } catch (NoSuchFileException ignored) {
            // already gone: deleting is idempotent so that recovery can repeat it
        }
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        // on a thread nobody interrupts: an interrupt during the fsync would close its channel, and whether the
        // directory reached the disk could not be known (a retry on a new descriptor cannot see the first one's error)
        Future<Void> sync = UNINTERRUPTED.submit(() -> {
            try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
                channel.force(true);
            }
            return null;
        });
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    sync.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true; // the caller's interrupt is kept for it, not acted on here
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException io) throw io;
                    throw new IOException("directory sync of " + dir + " failed: " + e.getCause(), e.getCause());
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** Runs directory syncs away from callers' interrupts. */
    private static final ExecutorService UNINTERRUPTED = Executors.newCachedThreadPool(
            Thread.ofPlatform().name("cask-dirsync-", 0).daemon().factory());

    @Override
    public void createDirectories(Path dir) throws IOException {
        Files.createDirectories(dir);
    }

    /**
     * One open file. A thread's interrupt must not touch it: {@code FileChannel} closes itself
     * when a thread blocked in it is interrupted, which would fail every other reader and writer
     * of this shared file (and a get from an interrupted thread once stopped all writes). So each
     * operation clears the caller's interrupt status first and restores it after, and a full force
     * goes through {@code FileDescriptor.sync}, which interrupts do not break. If an interrupt
     * still lands inside an operation, the file is reopened and reads, writes and size changes are
     * retried (each is idempotent at its position); a data-only force is reported as failed,
     * because an error of the interrupted fsync could not be seen through a new descriptor.
     */
    private static final java.lang.reflect.Method SET_UNINTERRUPTIBLE = findSetUninterruptible();

    private static java.lang.reflect.Method findSetUninterruptible() {
        try (FileChannel probe = FileChannel.open(Path.of(System.getProperty("java.io.tmpdir")), StandardOpenOption.READ)) {
            java.lang.reflect.Method m = probe.getClass().getMethod("setUninterruptible");
            m.setAccessible(true); // fails unless java.base/sun.nio.ch is opened to us
            return m;
        } catch (IOException | ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static final class ChannelFile implements DataFile {
        private final Path path;
        private final String access;
        private volatile RandomAccessFile file;
        private volatile FileChannel channel;
        private volatile boolean closed;
        /** The mapped tail, once {@link #extend} reserved one (plain read-write files only: a sync mode's writes must stay synchronous). */
        private volatile WriteWindows windows;

        ChannelFile(Path path, String access) throws IOException {
            this.path = path;
            this.access = access;
            this.file = new RandomAccessFile(path.toFile(), access); // FileNotFoundException, saying why, for any failure to open
            this.channel = uninterruptible(file.getChannel());
        }

        /**
         * Where the JDK lets us (the jar's manifest and the test runner open {@code sun.nio.ch}), the
         * channel is made uninterruptible, as the JDK does for its own shared files: an interrupt then
         * never closes it. Elsewhere the clear-and-retry below is what keeps interrupts away.
         */
        private static FileChannel uninterruptible(FileChannel channel) {
            if (SET_UNINTERRUPTIBLE != null) {
                try {
                    SET_UNINTERRUPTIBLE.invoke(channel);
                } catch (ReflectiveOperationException | RuntimeException ignored) {
                    // not this implementation: the retry path covers it
                }
            }
            return channel;
        }

        private interface Op<T> {
            T run(FileChannel channel) throws IOException;
        }

        /** Runs {@code op} with the caller's interrupt kept away from the channel; reopens and retries if it closed anyway. */
        private <T> T io(Op<T> op) throws IOException {
            boolean interrupted = Thread.interrupted();
            try {
                for (int attempt = 0; ; attempt++) {
                    FileChannel c = channel;
                    try {
                        return op.run(c);
                    } catch (java.nio.channels.ClosedChannelException e) {
                        interrupted |= recover(c, e, attempt);
                    }
                }
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        }

        /**
         * After {@code c} was found closed: rethrows if we closed it (or a storm of interrupts keeps
         * closing it), else reopens; returns whether the caller was interrupted meanwhile.
         */
        private boolean recover(FileChannel c, java.nio.channels.ClosedChannelException e, int attempt) throws IOException {
            if (closed || attempt >= 1000) throw e; // another interrupt can land in the retry: bounded, not once
            boolean interrupted = Thread.interrupted();
            reopen(c);
            return interrupted;
        }

        /** Replaces a channel an interrupt closed (once, whichever thread sees it first). */
        private synchronized void reopen(FileChannel broken) throws IOException {
            if (channel != broken || closed) return;
            RandomAccessFile fresh = new RandomAccessFile(path.toFile(), access); // opening never truncates: the bytes are all there
            file = fresh;
            channel = uninterruptible(fresh.getChannel());
        }

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
            WriteWindows mapped = windows;
            if (mapped != null && mapped.write(src, position)) return;
            // written out rather than through io(): this is every put's path, and a capturing lambda allocates per call
            int start = src.position();
            boolean interrupted = Thread.interrupted();
            try {
                for (int attempt = 0; ; attempt++) {
                    FileChannel c = channel;
                    try {
                        long at = position;
                        while (src.hasRemaining()) at += c.write(src, at);
                        if (mapped != null) mapped.wrote(at);
                        return;
                    } catch (java.nio.channels.ClosedChannelException e) {
                        interrupted |= recover(c, e, attempt);
                        src.position(start); // a retry writes the whole buffer again, at the same place
                    }
                }
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            int start = dst.position(); // as write: the read path of the active segment's tail
            boolean interrupted = Thread.interrupted();
            try {
                for (int attempt = 0; ; attempt++) {
                    FileChannel c = channel;
                    try {
                        int total = 0;
                        while (dst.hasRemaining()) {
                            int n = c.read(dst, position + total);
                            if (n < 0) break;
                            total += n;
                        }
                        return total;
                    } catch (java.nio.channels.ClosedChannelException e) {
                        interrupted |= recover(c, e, attempt);
                        dst.position(start);
                    }
                }
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        }

        @Override
        public void force(boolean metadata) throws IOException {
            boolean interrupted = Thread.interrupted();
            try {
                if (metadata && !access.equals("r")) {
                    for (int attempt = 0; ; attempt++) {
                        FileChannel c = channel;
                        try {
                            file.getFD().sync(); // fsync; not interruptible
                            return;
                        } catch (java.io.SyncFailedException e) {
                            // closed by its owner meanwhile (a rotation sealed it): as the channel path says, no fsync failed
                            if (closed) throw (java.nio.channels.ClosedChannelException) new java.nio.channels.ClosedChannelException().initCause(e);
                            if (c.isOpen() || attempt >= 1000) throw e;
                            // an interrupt closed the channel in another thread's operation, and with it this descriptor: the
                            // fsync reached no file. A new descriptor's fsync covers the same pages and reports any writeback error
                            // no descriptor has seen yet (errseq), so nothing is claimed that did not happen. Another interrupt can
                            // close the new one too before its fsync: bounded, not once (a storm of them once failed the retry)
                            reopen(c);
                        }
                    }
                }
                FileChannel c = channel;
                try {
                    c.force(metadata);
                } catch (java.nio.channels.ClosedChannelException e) {
                    if (closed) throw e;
                    interrupted |= Thread.interrupted();
                    reopen(c);
                    throw new IOException("force of " + path + " was interrupted and its descriptor closed; whether it completed"
                            + " cannot be known, so it counts as failed", e);
                }
            } catch (java.io.SyncFailedException e) {
                throw new IOException("fsync of " + path + " failed: " + e.getMessage(), e);
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        }

        @Override
        public void truncate(long size) throws IOException {
            WriteWindows mapped = windows;
            if (mapped != null) mapped.drop(size); // never a mapping past the end: a store there would be a SIGBUS
            io(c -> c.truncate(size));
        }

        @Override
        public void extend(long size) throws IOException {
            if (access.equals("r")) throw new java.nio.channels.NonWritableChannelException();
            io(c -> {
                long from = c.size();
                if (from >= size) return null;
                if (access.equals("rw")) {
                    synchronized (this) {
                        if (windows == null && !closed) windows = WriteWindows.open(path);
                    }
                    if (windows != null && windows.reserve(c, from, size)) return null; // real blocks, mapped for the writes to come
                }
                file.setLength(size); // ftruncate: a hole, no blocks
                return null;
            });
        }

        @Override
        public long size() throws IOException {
            return io(FileChannel::size);
        }

        @Override
        public MemorySegment map(long offset, long length, Arena arena) throws IOException {
            return io(c -> {
                if (offset + length > c.size()) throw new IOException("cannot map past the end of the file");
                return c.map(FileChannel.MapMode.READ_ONLY, offset, length, arena);
            });
        }

        @Override
        public synchronized void close() throws IOException {
            closed = true;
            if (windows != null) windows.close(); // unmapped before the descriptor goes: a deleted segment's blocks are freed
            channel.close(); // closes the RandomAccessFile too
        }
    }
}

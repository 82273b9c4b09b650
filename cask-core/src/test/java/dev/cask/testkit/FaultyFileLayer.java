package dev.cask.testkit;

import dev.cask.core.FileHeader;
import dev.cask.core.SegmentNames;
import dev.cask.core.io.DataFile;
import dev.cask.core.io.ForwardingDataFile;
import dev.cask.core.io.ForwardingFileLayer;
import dev.cask.core.io.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The real file layer with switches: make every force fail, or make writes fail with ENOSPC
 * once a byte budget is spent (after writing part of the buffer, as a real full disk does).
 * It also counts the calls, so tests can check which system calls a policy made.
 */
public final class FaultyFileLayer extends ForwardingFileLayer {
    /** Forwards to the real file layer until a switch is thrown. */
    public FaultyFileLayer() {
        super();
    }

    public volatile boolean failForce;
    /** Bytes that may still be written before writes fail with ENOSPC; negative = unlimited. */
    public final AtomicLong spaceLeft = new AtomicLong(-1);
    public final AtomicInteger forces = new AtomicInteger();
    public final AtomicInteger dataForces = new AtomicInteger();
    public final AtomicInteger writes = new AtomicInteger();
    public final AtomicInteger directorySyncs = new AtomicInteger();
    /**
     * Simulated crash: the write with this number (1-based, counted across files) lands only the
     * first {@link #tornFraction} of its bytes, and from then on every operation fails as if the
     * process had died. Negative = never.
     */
    public volatile int crashAtWrite = -1;
    public volatile double tornFraction;
    public volatile boolean crashed;

    /** New data segments whose directory entry was not forced yet; a write into one is a violation. */
    private final java.util.Set<Path> undurableNewSegments = java.util.concurrent.ConcurrentHashMap.newKeySet();
    public final java.util.List<String> orderViolations = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Simulated crash at the Nth mutating operation of any kind (write, force, truncate, rename, delete, directory sync). */
    public volatile int crashAtOp = -1;
    /** Slows every rename down, to hold an operation (a merge) open while a test races it. */
    public volatile long renameDelayMillis;
    public final AtomicInteger ops = new AtomicInteger();
    /** A transient failure (not a crash) of the Nth mutating operation: it throws once, and later operations work. */
    public volatile int failOnceAtOp = -1;
    /** The next creation of a data segment fails once, as on a full disk. */
    public volatile boolean failNextSegmentCreation;
    /** Every mutating operation, in order: "write NAME", "rename A B", ... */
    public final java.util.List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();

    private void checkAlive() throws IOException {
        if (crashed) throw new IOException("simulated crash: the process is gone");
    }

    /** Counts a mutating operation; throws (and stays crashed) when it is the one to crash at. */
    private void op(String what) throws IOException {
        checkAlive();
        log.add(what);
        int n = ops.incrementAndGet();
        if (n == crashAtOp) {
            crashed = true;
            throw new IOException("simulated crash before: " + what);
        }
        if (n == failOnceAtOp) throw new IOException("injected failure of: " + what);
    }

    @Override
    public DataFile open(Path path, OpenMode mode) throws IOException {
        checkAlive();
        if (mode.writable() && !java.nio.file.Files.exists(path) && path.getFileName().toString().endsWith(SegmentNames.DATA_SUFFIX)) {
            if (failNextSegmentCreation) {
                failNextSegmentCreation = false;
                throw new IOException("No space left on device (injected, creating " + path.getFileName() + ")");
            }
            undurableNewSegments.add(path);
        }
        DataFile file = super.open(path, mode);
        return new ForwardingDataFile(file) {
            @Override
            public void write(ByteBuffer src, long position) throws IOException {
                op("write " + path.getFileName());
                if (undurableNewSegments.contains(path) && position >= FileHeader.SIZE) { // the header goes in first, forced with the file
                    orderViolations.add("a record written into " + path + " before its directory was forced");
                }
                if (writes.incrementAndGet() == crashAtWrite) {
                    crashed = true;
                    int n = (int) Math.floor(tornFraction * src.remaining());
                    if (n > 0) file.write(src.slice(src.position(), n), position);
                    throw new IOException("simulated crash during this write");
                }
                long budget = spaceLeft.get();
                if (budget >= 0 && src.remaining() > budget) {
                    ByteBuffer part = src.slice(src.position(), (int) budget);
                    file.write(part, position); // a full disk writes what fits, then fails
                    spaceLeft.set(0);
                    throw new IOException("No space left on device");
                }
                if (budget >= 0) spaceLeft.addAndGet(-src.remaining());
                file.write(src, position);
            }

            @Override
            public void force(boolean metadata) throws IOException {
                if (metadata) forces.incrementAndGet();
                else dataForces.incrementAndGet();
                op("force " + path.getFileName());
                if (failForce) throw new IOException("Input/output error (injected fsync failure)");
                file.force(metadata);
            }

            @Override
            public void truncate(long size) throws IOException {
                op("truncate " + path.getFileName());
                file.truncate(size);
            }

        };
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
        op("rename " + source.getFileName() + " " + target.getFileName());
        if (renameDelayMillis > 0) {
            try {
                Thread.sleep(renameDelayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        super.rename(source, target);
    }

    @Override
    public void link(Path existing, Path link) throws IOException {
        op("link " + existing.getFileName() + " " + link.getFileName());
        super.link(existing, link);
    }

    @Override
    public void delete(Path path) throws IOException {
        op("delete " + path.getFileName());
        super.delete(path);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        op("syncdir " + dir.getFileName());
        directorySyncs.incrementAndGet();
        if (failForce) throw new IOException("Input/output error (injected fsync failure)");
        super.syncDirectory(dir);
        undurableNewSegments.removeIf(p -> p.getParent().equals(dir));
    }

}

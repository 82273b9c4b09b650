package dev.cask.net.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One io_uring instance from the raw system calls: {@code io_uring_setup}, the submission and
 * completion rings mmapped (one mapping, IORING_FEAT_SINGLE_MMAP), {@code io_uring_enter} and
 * {@code io_uring_register}. Layouts and constants are from the kernel's
 * {@code include/uapi/linux/io_uring.h}. Used by one thread only.
 */
final class IoUring implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(IoUring.class.getName());
    static final long SYS_SETUP = 425;
    static final long SYS_ENTER = 426;
    static final long SYS_REGISTER = 427;

    static final int IORING_SETUP_CQSIZE = 1 << 3;
    static final int IORING_SETUP_R_DISABLED = 1 << 6;
    static final int IORING_SETUP_SINGLE_ISSUER = 1 << 12;
    static final int IORING_SETUP_DEFER_TASKRUN = 1 << 13;
    static final int IORING_REGISTER_ENABLE_RINGS = 12;
    static final int IORING_FEAT_SINGLE_MMAP = 1;
    static final long IORING_OFF_SQ_RING = 0;
    static final long IORING_OFF_SQES = 0x10000000L;
    static final int IORING_ENTER_GETEVENTS = 1;
    static final int IORING_REGISTER_PBUF_RING = 22;
    static final int IORING_UNREGISTER_PBUF_RING = 23;

    static final byte OP_NOP = 0;
    static final byte OP_ACCEPT = 13;
    static final byte OP_ASYNC_CANCEL = 14;
    static final byte OP_READ = 22;
    static final byte OP_SEND = 26;
    static final byte OP_RECV = 27;

    static final short IORING_ACCEPT_MULTISHOT = 1;
    static final short IORING_RECV_MULTISHOT = 2;
    static final byte IOSQE_BUFFER_SELECT = 1 << 5;
    static final int IORING_CQE_F_BUFFER = 1;
    static final int IORING_CQE_F_MORE = 2;
    static final int IORING_CQE_BUFFER_SHIFT = 16;

    private static final int SQE_SIZE = 64;
    private static final int CQE_SIZE = 16;
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final Libc libc;
    final int fd;
    private final MemorySegment ring;
    private final MemorySegment sqes;
    private final int sqEntries;
    private final int sqMask;
    private final long sqHead;
    private final long sqTail;
    private final int cqMask;
    private final long cqHead;
    private final long cqTail;
    private final long cqes;
    private final boolean startsDisabled;
    private int sqLocalTail;
    private int toSubmit;
    /** Times io_uring_enter reported EBADR (completions the kernel had to drop). */
    long droppedCompletions;

    /**
     * Sets up a ring that only one thread will submit to and that runs completion work only when
     * that thread waits (SINGLE_ISSUER, DEFER_TASKRUN: no interrupts of the loop to post
     * completions). It starts disabled, so that thread binds itself with {@link #enable}; a kernel
     * without those flags gets a plain ring.
     */
    IoUring(Libc libc, int entries, int cqEntries) throws NativeException {
        this.libc = libc;
        MemorySegment params = java.lang.foreign.Arena.ofAuto().allocate(120, 8);
        params.set(ValueLayout.JAVA_INT, 4, cqEntries);
        params.set(ValueLayout.JAVA_INT, 8, IORING_SETUP_CQSIZE | IORING_SETUP_R_DISABLED | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN);
        long r = libc.syscall(SYS_SETUP, entries, params.address(), 0, 0, 0, 0);
        boolean disabled = true;
        if (r == -Errno.EINVAL) { // an older kernel without those flags
            params.fill((byte) 0);
            params.set(ValueLayout.JAVA_INT, 4, cqEntries);
            params.set(ValueLayout.JAVA_INT, 8, IORING_SETUP_CQSIZE);
            r = libc.syscall(SYS_SETUP, entries, params.address(), 0, 0, 0, 0);
            disabled = false;
        }
        if (r < 0) throw new NativeException("io_uring_setup", (int) -r);
        this.startsDisabled = disabled;
        fd = (int) r;
        try {
            int features = params.get(ValueLayout.JAVA_INT, 20);
            if ((features & IORING_FEAT_SINGLE_MMAP) == 0) throw new NativeException("io_uring: kernel without IORING_FEAT_SINGLE_MMAP", 0);
            sqEntries = params.get(ValueLayout.JAVA_INT, 0);
            int cqCount = params.get(ValueLayout.JAVA_INT, 4);
            // struct io_sqring_offsets at 40: head, tail, ring_mask, ring_entries, flags, dropped, array
            int sqOffHead = params.get(ValueLayout.JAVA_INT, 40);
            int sqOffTail = params.get(ValueLayout.JAVA_INT, 44);
            int sqOffMask = params.get(ValueLayout.JAVA_INT, 48);
            int sqOffArray = params.get(ValueLayout.JAVA_INT, 64);
            // struct io_cqring_offsets at 80: head, tail, ring_mask, ring_entries, overflow, cqes
            int cqOffHead = params.get(ValueLayout.JAVA_INT, 80);
            int cqOffTail = params.get(ValueLayout.JAVA_INT, 84);
            int cqOffMask = params.get(ValueLayout.JAVA_INT, 88);
            int cqOffCqes = params.get(ValueLayout.JAVA_INT, 100);
            long ringSize = Math.max(sqOffArray + 4L * sqEntries, cqOffCqes + (long) CQE_SIZE * cqCount);
            ring = libc.mmap(ringSize, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED | Libc.MAP_POPULATE, fd, IORING_OFF_SQ_RING);
            try {
                sqes = libc.mmap((long) SQE_SIZE * sqEntries, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED | Libc.MAP_POPULATE, fd, IORING_OFF_SQES);
            } catch (NativeException | RuntimeException e) {
                libc.munmap(ring); // a failed setup gives back what it mapped
                throw e;
            }
            sqMask = ring.get(ValueLayout.JAVA_INT, sqOffMask);
            cqMask = ring.get(ValueLayout.JAVA_INT, cqOffMask);
            sqHead = sqOffHead;
            sqTail = sqOffTail;
            cqHead = cqOffHead;
            cqTail = cqOffTail;
            cqes = cqOffCqes;
            for (int i = 0; i < sqEntries; i++) ring.set(ValueLayout.JAVA_INT, sqOffArray + 4L * i, i); // SQE i sits at array slot i
            sqLocalTail = (int) INT.getAcquire(ring, sqTail);
        } catch (NativeException | RuntimeException e) {
            libc.close(fd);
            throw e;
        }
    }

    /** A zeroed SQE to fill, submitting what is queued first if the ring is full. */
    MemorySegment sqe() throws NativeException {
        int head = (int) INT.getAcquire(ring, sqHead);
        if (sqLocalTail - head >= sqEntries) {
            submit(0);
            head = (int) INT.getAcquire(ring, sqHead);
            if (sqLocalTail - head >= sqEntries) throw new NativeException("io_uring: submission ring full", 0);
        }
        MemorySegment sqe = sqes.asSlice((long) (sqLocalTail & sqMask) * SQE_SIZE, SQE_SIZE);
        sqe.fill((byte) 0);
        sqLocalTail++;
        toSubmit++;
        INT.setRelease(ring, sqTail, sqLocalTail);
        return sqe;
    }

    static void prep(MemorySegment sqe, byte op, int fd, long addr, int len, long userData) {
        sqe.set(ValueLayout.JAVA_BYTE, 0, op);
        sqe.set(ValueLayout.JAVA_INT, 4, fd);
        sqe.set(ValueLayout.JAVA_LONG, 16, addr);
        sqe.set(ValueLayout.JAVA_INT, 24, len);
        sqe.set(ValueLayout.JAVA_LONG, 32, userData);
    }

    /** Submits queued SQEs and waits for at least {@code minComplete} completions. */
    void submit(int minComplete) throws NativeException {
        while (true) {
            long r = libc.syscall(SYS_ENTER, fd, toSubmit, minComplete, minComplete > 0 ? IORING_ENTER_GETEVENTS : 0, 0, 0);
            if (r >= 0) {
                toSubmit -= (int) r;
                if (toSubmit < 0) toSubmit = 0;
                return;
            }
            if (r == -Errno.EINTR) continue;
            if (r == -Errno.EAGAIN || r == -Errno.EBUSY) return; // EBUSY: completions must be reaped first
            if (r == -Errno.EBADR) { // the kernel could not keep some completions: their connections stall until their timeout
                droppedCompletions++;
                if (droppedCompletions == 1) LOG.log(System.Logger.Level.WARNING, "io_uring dropped completions (EBADR); the loop goes on");
                return;
            }
            throw new NativeException("io_uring_enter", (int) -r);
        }
    }

    /** Reads the completions ready now: calls {@code visitor} for each, then marks them consumed. Returns how many. */
    int drainCompletions(CompletionVisitor visitor) throws NativeException {
        int head = (int) INT.getAcquire(ring, cqHead);
        int tail = (int) INT.getAcquire(ring, cqTail);
        int n = 0;
        while (head != tail) {
            long at = cqes + (long) (head & cqMask) * CQE_SIZE;
            long userData = ring.get(ValueLayout.JAVA_LONG, at);
            int res = ring.get(ValueLayout.JAVA_INT, at + 8);
            int flags = ring.get(ValueLayout.JAVA_INT, at + 12);
            head++;
            INT.setRelease(ring, cqHead, head); // consumed before the visitor may submit (and wait) again
            visitor.completed(userData, res, flags);
            n++;
            tail = (int) INT.getAcquire(ring, cqTail);
        }
        return n;
    }

    interface CompletionVisitor {
        void completed(long userData, int res, int flags) throws NativeException;
    }

    /** io_uring_register(IORING_REGISTER_PBUF_RING) for a provided-buffer ring at {@code ringAddr}. */
    void registerBufferRing(long ringAddr, int entries, int groupId) throws NativeException {
        // a confined arena, freed only after the call: an automatic one could be collected while the kernel reads the struct,
        // since nothing but its address (a long) is passed on
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment reg = arena.allocate(40, 8);
            reg.set(ValueLayout.JAVA_LONG, 0, ringAddr);
            reg.set(ValueLayout.JAVA_INT, 8, entries);
            reg.set(ValueLayout.JAVA_SHORT, 12, (short) groupId);
            long r = libc.syscall(SYS_REGISTER, fd, IORING_REGISTER_PBUF_RING, reg.address(), 1, 0, 0);
            if (r < 0) throw new NativeException("io_uring_register(PBUF_RING)", (int) -r);
        }
    }

    /** io_uring_register(IORING_UNREGISTER_PBUF_RING): from its return on, the kernel takes no buffer of {@code groupId}. */
    void unregisterBufferRing(int groupId) throws NativeException {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment reg = arena.allocate(40, 8);
            reg.set(ValueLayout.JAVA_SHORT, 12, (short) groupId);
            long r = libc.syscall(SYS_REGISTER, fd, IORING_UNREGISTER_PBUF_RING, reg.address(), 1, 0, 0);
            if (r < 0) throw new NativeException("io_uring_register(UNREGISTER_PBUF_RING)", (int) -r);
        }
    }

    /** Submits what is queued without waiting, so that no queued SQE names a descriptor about to be closed and reused. */
    void submitQueued() throws NativeException {
        if (toSubmit > 0) submit(0);
    }

    /** Whether every SQE handed out so far was submitted to the kernel. */
    boolean allSubmitted() {
        return toSubmit == 0;
    }

    /** Binds the ring to the calling thread, its only submitter (IORING_REGISTER_ENABLE_RINGS). */
    void enable() throws NativeException {
        if (!startsDisabled) return;
        long r = libc.syscall(SYS_REGISTER, fd, IORING_REGISTER_ENABLE_RINGS, 0, 0, 0, 0);
        if (r < 0) throw new NativeException("io_uring_register(ENABLE_RINGS)", (int) -r);
    }

    @Override
    public void close() {
        libc.munmap(sqes);
        libc.munmap(ring);
        libc.close(fd);
    }
}

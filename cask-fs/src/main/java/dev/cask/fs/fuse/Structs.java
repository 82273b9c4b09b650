package dev.cask.fs.fuse;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/**
 * The C structs the binding reads and writes, as byte offsets for x86_64 glibc and libfuse 3.14.
 * Each offset was checked with {@code offsetof} against the headers named here; libfuse copies
 * only the sizes given, so these stay valid for later 3.x releases.
 */
final class Structs {
    private Structs() {
    }

    /** {@code struct stat} (bits/struct_stat.h): 144 bytes; nlink is 8 bytes on x86_64. */
    static final long STAT_SIZE = 144;

    static void writeStat(MemorySegment stat, Attr a) {
        stat.fill((byte) 0);
        stat.set(JAVA_LONG, 8, a.ino());
        stat.set(JAVA_LONG, 16, a.nlink());
        stat.set(JAVA_INT, 24, a.mode());
        stat.set(JAVA_INT, 28, a.uid());
        stat.set(JAVA_INT, 32, a.gid());
        stat.set(JAVA_LONG, 40, a.rdev());
        stat.set(JAVA_LONG, 48, a.size());
        stat.set(JAVA_LONG, 56, 4096); // st_blksize: the I/O size that suits the store
        stat.set(JAVA_LONG, 64, a.blocks());
        writeTime(stat, 72, a.atimeNanos());
        writeTime(stat, 88, a.mtimeNanos());
        writeTime(stat, 104, a.ctimeNanos());
    }

    private static void writeTime(MemorySegment s, long at, long time) {
        s.set(JAVA_LONG, at, FsTime.epochSeconds(time));
        s.set(JAVA_LONG, at + 8, FsTime.nanos(time));
    }

    /** The fields setattr reads from the {@code struct stat} it is given. */
    static SetAttr readSetAttr(MemorySegment stat, int toSet) {
        return new SetAttr(toSet, stat.get(JAVA_INT, 24), stat.get(JAVA_INT, 28), stat.get(JAVA_INT, 32),
                stat.get(JAVA_LONG, 48), readTime(stat, 72), readTime(stat, 88));
    }

    private static long readTime(MemorySegment s, long at) {
        return FsTime.of(s.get(JAVA_LONG, at), s.get(JAVA_LONG, at + 8)); // seconds * 1e9 wrapped after 2262
    }

    /** {@code struct fuse_entry_param} (fuse_lowlevel.h): ino 0, generation 8, attr 16, attr_timeout 160, entry_timeout 168. */
    static final long ENTRY_SIZE = 176;

    static void writeEntry(MemorySegment entry, Attr a, double timeout) {
        entry.set(JAVA_LONG, 0, a.ino());
        entry.set(JAVA_LONG, 8, 0); // generation: inode numbers are never reused, so 0 is always right
        writeStat(entry.asSlice(16, STAT_SIZE), a);
        entry.set(JAVA_DOUBLE, 160, timeout);
        entry.set(JAVA_DOUBLE, 168, timeout);
    }

    /** {@code struct fuse_file_info} (fuse_common.h): flags int 0, bit fields in byte 4, fh 16. */
    static final long FILE_INFO_SIZE = 40;
    private static final byte KEEP_CACHE = 0x04;

    static int openFlags(MemorySegment fi) {
        return fi.get(JAVA_INT, 0);
    }

    static long fh(MemorySegment fi) {
        return fi.get(JAVA_LONG, 16);
    }

    /** Sets the handle and keep_cache: every change reaches the store through this kernel, so its page cache stays true. */
    static void setOpened(MemorySegment fi, long fh, boolean keepCache) {
        fi.set(JAVA_LONG, 16, fh);
        byte bits = fi.get(JAVA_BYTE, 4);
        fi.set(JAVA_BYTE, 4, keepCache ? (byte) (bits | KEEP_CACHE) : (byte) (bits & ~KEEP_CACHE));
    }

    /** {@code struct fuse_ctx} (fuse_lowlevel.h): uid 0, gid 4, pid 8, umask 12. */
    static final long CTX_SIZE = 16;

    static Caller caller(MemorySegment ctx) {
        return new Caller(ctx.get(JAVA_INT, 0), ctx.get(JAVA_INT, 4), ctx.get(JAVA_INT, 8));
    }

    /** {@code struct fuse_conn_info} (fuse_common.h): 128 bytes; capable at 20, want at 24. */
    static final long CONN_INFO_SIZE = 128;
    /** FUSE_CAP_WRITEBACK_CACHE (fuse_common.h). */
    static final int CAP_WRITEBACK_CACHE = 1 << 16;

    /** {@code struct statvfs} (bits/statvfs.h): 112 bytes of unsigned longs, namemax at 80. */
    static final long STATVFS_SIZE = 112;

    static void writeStatFs(MemorySegment s, LowLevelFileSystem.StatFs f) {
        s.fill((byte) 0);
        s.set(JAVA_LONG, 0, f.blockSize());
        s.set(JAVA_LONG, 8, f.blockSize());
        s.set(JAVA_LONG, 16, f.blocks());
        s.set(JAVA_LONG, 24, f.blocksFree());
        s.set(JAVA_LONG, 32, f.blocksAvailable());
        s.set(JAVA_LONG, 40, f.files());
        s.set(JAVA_LONG, 48, f.filesFree());
        s.set(JAVA_LONG, 56, f.filesFree());
        s.set(JAVA_LONG, 80, f.nameMax());
    }

    /** {@code struct fuse_forget_data} (fuse_lowlevel.h): ino 0, nlookup 8. */
    static final long FORGET_DATA_SIZE = 16;

    /** {@code struct fuse_args} (fuse_opt.h): argc int 0, argv 8, allocated int 16. */
    static final long ARGS_SIZE = 24;

    /** {@code struct fuse_lowlevel_ops} (fuse_lowlevel.h, 3.14): 44 function pointers. */
    static final int OPS_COUNT = 44;
}

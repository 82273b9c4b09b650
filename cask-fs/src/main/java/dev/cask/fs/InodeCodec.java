package dev.cask.fs;

import java.nio.ByteBuffer;

/**
 * The one codec of the inode record ('I' key). Version 2, big-endian, 57 bytes plus a symbolic
 * link's target:
 * <pre>
 *   0  u8   version (2)        25 u64 rdev
 *   1  u32  mode               33 i64 atime, ns since 2174-01-01 (see FsTime; version 1: since 1970)
 *   5  u32  uid                41 i64 mtime
 *   9  u32  gid                49 i64 ctime
 *   13 u32  nlink              57 ...  symlink target (the rest of the value)
 *   17 u64  size
 * </pre>
 * Version 1 counted times from 1970 and wrapped after 2262; it is read, converted, and written
 * back as version 2 by the next change of the inode. The superblock ('S' key): u8 version (1),
 * u64 next inode number.
 */
final class InodeCodec {
    static final byte VERSION = 2;
    private static final byte VERSION_EPOCH_1970 = 1;
    static final byte SUPERBLOCK_VERSION = 1;
    static final int FIXED = 57;

    private InodeCodec() {
    }

    static byte[] encode(Inode n) {
        int extra = n.target == null ? 0 : n.target.length;
        ByteBuffer b = ByteBuffer.allocate(FIXED + extra);
        b.put(VERSION).putInt(n.mode).putInt(n.uid).putInt(n.gid).putInt(n.nlink).putLong(n.size).putLong(n.rdev)
                .putLong(n.atime).putLong(n.mtime).putLong(n.ctime);
        if (n.target != null) b.put(n.target);
        return b.array();
    }

    static Inode decode(long ino, byte[] v) {
        if (v.length < FIXED || (v[0] != VERSION && v[0] != VERSION_EPOCH_1970)) {
            throw new IllegalStateException("inode " + ino + ": not a version-" + VERSION_EPOCH_1970 + " or " + VERSION
                    + " inode record (" + v.length + " bytes, version " + (v.length > 0 ? v[0] : -1) + ")");
        }
        ByteBuffer b = ByteBuffer.wrap(v, 1, v.length - 1);
        Inode n = new Inode(ino, b.getInt(), b.getInt(), b.getInt(), 0);
        n.nlink = b.getInt();
        n.size = b.getLong();
        n.rdev = b.getLong();
        n.atime = b.getLong();
        n.mtime = b.getLong();
        n.ctime = b.getLong();
        if (v[0] == VERSION_EPOCH_1970) {
            n.atime = dev.cask.fs.fuse.FsTime.fromEpochNanos(n.atime);
            n.mtime = dev.cask.fs.fuse.FsTime.fromEpochNanos(n.mtime);
            n.ctime = dev.cask.fs.fuse.FsTime.fromEpochNanos(n.ctime);
        }
        if (n.isSymlink()) {
            n.target = new byte[v.length - FIXED];
            b.get(n.target);
        }
        return n;
    }

    static byte[] encodeSuperblock(long nextIno) {
        return ByteBuffer.allocate(9).put(SUPERBLOCK_VERSION).putLong(nextIno).array();
    }

    static long decodeSuperblock(byte[] v) {
        if (v.length != 9 || v[0] != SUPERBLOCK_VERSION) {
            throw new IllegalStateException("not a version-" + SUPERBLOCK_VERSION + " filesystem superblock");
        }
        return ByteBuffer.wrap(v, 1, 8).getLong();
    }
}

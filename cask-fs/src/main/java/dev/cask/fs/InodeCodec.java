package dev.cask.fs;

import java.nio.ByteBuffer;

/**
 * The one codec of the inode record ('I' key). Version 1, big-endian, 57 bytes plus a symbolic
 * link's target:
 * <pre>
 *   0  u8   version (1)        25 u64 rdev
 *   1  u32  mode               33 i64 atime, ns since the epoch
 *   5  u32  uid                41 i64 mtime
 *   9  u32  gid                49 i64 ctime
 *   13 u32  nlink              57 ...  symlink target (the rest of the value)
 *   17 u64  size
 * </pre>
 * And the superblock ('S' key): u8 version (1), u64 next inode number.
 */
final class InodeCodec {
    static final byte VERSION = 1;
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
        if (v.length < FIXED || v[0] != VERSION) {
            throw new IllegalStateException("inode " + ino + ": not a version-" + VERSION + " inode record (" + v.length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(v, 1, v.length - 1);
        Inode n = new Inode(ino, b.getInt(), b.getInt(), b.getInt(), 0);
        n.nlink = b.getInt();
        n.size = b.getLong();
        n.rdev = b.getLong();
        n.atime = b.getLong();
        n.mtime = b.getLong();
        n.ctime = b.getLong();
        if (n.isSymlink()) {
            n.target = new byte[v.length - FIXED];
            b.get(n.target);
        }
        return n;
    }

    static byte[] encodeSuperblock(long nextIno) {
        return ByteBuffer.allocate(9).put(VERSION).putLong(nextIno).array();
    }

    static long decodeSuperblock(byte[] v) {
        if (v.length != 9 || v[0] != VERSION) throw new IllegalStateException("not a version-" + VERSION + " filesystem superblock");
        return ByteBuffer.wrap(v, 1, 8).getLong();
    }
}

package dev.cask.fs;

import java.nio.ByteBuffer;

/**
 * The keys a filesystem keeps in its Cask database (docs/FORMAT.md, "Filesystem records"). Numbers
 * are big-endian, so the keys of one inode's chunks differ only in their last bytes.
 * <pre>
 *   'S'                          superblock: format version, next inode number
 *   'I' ino:u64                  inode
 *   'D' parent:u64 name          directory entry: the child's inode number
 *   'C' ino:u64 index:u64        chunk {@code index} of a regular file's content
 *   'O' ino:u64                  orphan: an unlinked inode still open; freed at the next mount if still there
 * </pre>
 */
final class FsKeys {
    static final byte SUPERBLOCK = 'S';
    static final byte INODE = 'I';
    static final byte ENTRY = 'D';
    static final byte CHUNK = 'C';
    static final byte ORPHAN = 'O';

    private FsKeys() {
    }

    static byte[] superblock() {
        return new byte[] {SUPERBLOCK};
    }

    static byte[] inode(long ino) {
        return ByteBuffer.allocate(9).put(INODE).putLong(ino).array();
    }

    static byte[] orphan(long ino) {
        return ByteBuffer.allocate(9).put(ORPHAN).putLong(ino).array();
    }

    static byte[] entry(long parent, byte[] name) {
        return ByteBuffer.allocate(9 + name.length).put(ENTRY).putLong(parent).put(name).array();
    }

    static byte[] chunk(long ino, long index) {
        return ByteBuffer.allocate(17).put(CHUNK).putLong(ino).putLong(index).array();
    }

    /** The inode number in an 'I', 'O' or 'D' (parent) or 'C' key. */
    static long ino(byte[] key) {
        return ByteBuffer.wrap(key, 1, 8).getLong();
    }

    /** The chunk index in a 'C' key. */
    static long chunkIndex(byte[] key) {
        return ByteBuffer.wrap(key, 9, 8).getLong();
    }

    static byte[] entryName(byte[] key) {
        byte[] name = new byte[key.length - 9];
        System.arraycopy(key, 9, name, 0, name.length);
        return name;
    }

    static byte[] longValue(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    static long longValue(byte[] v) {
        if (v.length != 8) throw new IllegalStateException("expected an 8-byte value, got " + v.length);
        return ByteBuffer.wrap(v).getLong();
    }
}

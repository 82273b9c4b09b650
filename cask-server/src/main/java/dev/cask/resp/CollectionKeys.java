package dev.cask.resp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * How a collection (a hash, a set, a list or a sorted set) lies on the log, and the only code that knows it. See
 * {@code docs/FORMAT.md}, "Collections".
 *
 * <pre>
 * stored key                       value
 * 00 (20+db) key                   metadata: type u8 | version u64 | count u64 [| head u64 for a list]   (big-endian)
 * 00 45 version(u64 BE) member     one element: a hash field's value; empty for a set's member of up to 32
 *                                  bytes, and for a longer one (named ff + its SHA-256) the member itself; a
 *                                  list's element at position member (u64 BE), head .. head + count - 1; a
 *                                  sorted set's member's score (an IEEE double, 8 bytes BE)
 * 00 ff "collection-versions"      the highest version handed out, u64: versions never repeat
 * </pre>
 *
 * The metadata record sits beside the key's string record (they never both exist: the server
 * keeps one or the other) and carries the collection's expiry. Elements are keyed by the
 * collection's version, not by its name, so deleting, expiring, renaming or moving a collection
 * is one record: its old elements are left behind under a version no metadata names, and the
 * sweeper deletes them ({@link Collections}).
 */
final class CollectionKeys {
    /** What a metadata record describes. */
    enum Type {
        HASH((byte) 'h', "hash"),
        SET((byte) 's', "set"),
        LIST((byte) 'l', "list"),
        ZSET((byte) 'z', "zset");

        final byte tag;
        final String name;

        Type(byte tag, String name) {
            this.tag = tag;
            this.name = name;
        }

        static Type of(byte tag) {
            for (Type t : values()) if (t.tag == tag) return t;
            return null;
        }
    }

    /**
     * A collection's metadata: its type, the version its elements are keyed by, how many there
     * are, and for a list the position of its first element (the others follow it, with no gaps).
     */
    record Meta(Type type, long version, long count, long head) {
        Meta(Type type, long version, long count) {
            this(type, version, count, 0);
        }

        Meta withCount(long n) {
            return new Meta(type, version, n, head);
        }

        Meta withHeadAndCount(long first, long n) {
            return new Meta(type, version, n, first);
        }
    }

    private static final byte ESCAPE = 0x00;
    private static final int META_BASE = 0x20;
    private static final byte ELEMENT = 0x45;
    private static final int META_SIZE = 17;
    /** A list's metadata carries its head as well. */
    private static final int LIST_META_SIZE = 25;
    /** The server's record of the highest version handed out. */
    static final byte[] VERSIONS_KEY = KeyNames.internal("collection-versions");

    private CollectionKeys() {}

    /** The stored key of the metadata of collection {@code key} in database {@code db}. */
    static byte[] meta(int db, byte[] key) {
        byte[] stored = new byte[key.length + 2];
        stored[0] = ESCAPE;
        stored[1] = (byte) (META_BASE + db);
        System.arraycopy(key, 0, stored, 2, key.length);
        return stored;
    }

    static boolean isMeta(byte[] stored) {
        return isMeta(stored, 0, stored.length);
    }

    /** As {@link #isMeta(byte[])}, for the stored key that is {@code length} bytes of {@code b} from {@code from}. */
    static boolean isMeta(byte[] b, int from, int length) {
        return length >= 2 && b[from] == ESCAPE && (b[from + 1] & 0xff) >= META_BASE && (b[from + 1] & 0xff) < META_BASE + KeyNames.DATABASES;
    }

    /** The database of a metadata key (see {@link #isMeta}). */
    static int metaDatabase(byte[] stored) {
        return (stored[1] & 0xff) - META_BASE;
    }

    /** The stored key of element {@code member} of the collection of {@code version}. */
    static byte[] element(long version, byte[] member) {
        byte[] stored = new byte[10 + member.length];
        stored[0] = ESCAPE;
        stored[1] = ELEMENT;
        ByteBuffer.wrap(stored).putLong(2, version);
        System.arraycopy(member, 0, stored, 10, member.length);
        return stored;
    }

    static boolean isElement(byte[] stored) {
        return isElement(stored, 0, stored.length);
    }

    /** As {@link #isElement(byte[])}, for the stored key that is {@code length} bytes of {@code b} from {@code from}. */
    static boolean isElement(byte[] b, int from, int length) {
        return length >= MEMBER_OFFSET && b[from] == ESCAPE && b[from + 1] == ELEMENT;
    }

    static long version(byte[] element) {
        return version(element, 0);
    }

    /** The version of the element key that starts at {@code from} in {@code b}. */
    static long version(byte[] b, int from) {
        return (long) VERSION.get(b, from + 2);
    }

    private static final java.lang.invoke.VarHandle VERSION = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** Where an element key's member begins. */
    static final int MEMBER_OFFSET = 10;

    static byte[] member(byte[] element) {
        return Arrays.copyOfRange(element, MEMBER_OFFSET, element.length);
    }

    static byte[] encode(Meta meta) {
        boolean list = meta.type() == Type.LIST;
        ByteBuffer b = ByteBuffer.allocate(list ? LIST_META_SIZE : META_SIZE).order(ByteOrder.BIG_ENDIAN);
        b.put(meta.type().tag).putLong(meta.version()).putLong(meta.count());
        if (list) b.putLong(meta.head());
        return b.array();
    }

    /** The metadata in {@code value}, or null if it is not a metadata record this code knows. */
    static Meta decode(byte[] value) {
        if (value == null || value.length < 1) return null;
        Type type = Type.of(value[0]);
        if (type == null || value.length != (type == Type.LIST ? LIST_META_SIZE : META_SIZE)) return null;
        ByteBuffer b = ByteBuffer.wrap(value);
        return new Meta(type, b.getLong(1), b.getLong(9), type == Type.LIST ? b.getLong(17) : 0);
    }

    /** The longest set member kept in its element's key as it is; a longer one is named by its digest. */
    static final int SET_MEMBER_INLINE_MAX = 32;
    /** The length of a digest name: a 0xff byte, then SHA-256 of the member. No member kept as it is has this length. */
    private static final int DIGEST_NAME_LENGTH = SET_MEMBER_INLINE_MAX + 1;

    /**
     * What set member {@code member} is called in its element's key: itself up to
     * {@link #SET_MEMBER_INLINE_MAX} bytes, else {@code ff} and its SHA-256, 33 bytes, with the
     * member itself as the element's value ({@link #setMemberValue}). Keys are held in memory and
     * values on disk, so a set of long members costs the same memory whatever their length.
     */
    static byte[] setMemberName(byte[] member) {
        if (member.length <= SET_MEMBER_INLINE_MAX) return member;
        byte[] name = new byte[DIGEST_NAME_LENGTH];
        name[0] = (byte) 0xff;
        System.arraycopy(SHA_256.get().digest(member), 0, name, 1, 32);
        return name;
    }

    /** One digest per thread: getInstance costs more than hashing a short member. */
    private static final ThreadLocal<java.security.MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    });

    /** The value of set member {@code member}'s element: empty when its name is the member, else the member. */
    static byte[] setMemberValue(byte[] member) {
        return member.length <= SET_MEMBER_INLINE_MAX ? EMPTY : member;
    }

    /** Whether a set element's name is a digest, whose member is then its element's value. */
    static boolean isDigestName(byte[] name) {
        return name.length == DIGEST_NAME_LENGTH;
    }

    private static final byte[] EMPTY = new byte[0];

    /** A list element's member: its position, 8 bytes big-endian. */
    static byte[] position(long at) {
        return ByteBuffer.allocate(8).putLong(at).array();
    }

    private static final java.lang.invoke.VarHandle LONG_BE = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

    /** The position of list element key {@code stored}. */
    static long positionOf(byte[] stored) {
        return (long) LONG_BE.get(stored, MEMBER_OFFSET);
    }

    /** Turns list element key {@code stored} (see {@link #element}) into the key of position {@code at}, in place: a walk of a list reuses one key. */
    static void setPosition(byte[] stored, long at) {
        LONG_BE.set(stored, 10, at);
    }
}

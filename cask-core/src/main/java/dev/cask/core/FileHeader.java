package dev.cask.core;

import dev.cask.core.io.DataFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The header at the start of every data segment and hint file, and the only code that knows it.
 * See {@code docs/FORMAT.md}.
 *
 * <pre>
 * offset size field
 *      0    4 magic    "CASK" (43 41 53 4b)
 *      4    1 kind     'D' (44) a data segment, 'H' (48) a hint file
 *      5    1 version  the format version of everything after the header: 2 for data, 1 for hints
 *      6    2 reserved zero
 * </pre>
 *
 * A file that does not begin with the magic was written before the header existed: format
 * version 0, whose records (or hint entries) start at byte 0 and are laid out as in version 1.
 * It is read as it is; a merge rewrites its records into current-version files. Data files of
 * version 2 hold records of the compact layout ({@link RecordCodecV2}); versions 0 and 1 hold the
 * fixed one ({@link RecordCodecV1}). Hint files are version 1: their layout did not change. A version-0 file could
 * only be taken for a headed one if a record's CRC were "CASK" and its timestamp began with the
 * kind and version bytes: about one file in 2^48.
 */
public final class FileHeader {
    public static final int SIZE = 8;
    /** A file with no header. */
    public static final int LEGACY_VERSION = 0;

    private static final int MAGIC = 0x4b534143; // "CASK" read as a little-endian int
    private static final int KIND_AT = 4;
    private static final int VERSION_AT = 5;

    /** What a file holds; the byte that says so in its header. */
    public enum Kind {
        DATA((byte) 'D', "a data segment", RecordCodec.current().formatVersion()),
        HINT((byte) 'H', "a hint file", 1);

        final byte tag;
        final String description;
        /** The version this code writes for this kind, and the newest it reads. */
        public final int currentVersion;

        Kind(byte tag, String description, int currentVersion) {
            this.tag = tag;
            this.description = description;
            this.currentVersion = currentVersion;
        }
    }

    /** What the start of a file says: its format version, and where its records begin. */
    public record Read(int version, long firstRecord) {}

    private FileHeader() {}

    /** The header of a new file of {@code kind}, in the current version, ready to write at offset 0. */
    public static ByteBuffer encode(Kind kind) {
        ByteBuffer buf = RecordCodec.allocate(SIZE);
        buf.putInt(0, MAGIC).put(KIND_AT, kind.tag).put(VERSION_AT, (byte) kind.currentVersion).putShort(6, (short) 0);
        return buf;
    }

    /** Writes the header of a new, empty file and returns what it says. */
    static Read write(DataFile file, Kind kind) throws IOException {
        ByteBuffer header = encode(kind);
        while (header.hasRemaining()) file.write(header, header.position());
        return new Read(kind.currentVersion, SIZE);
    }

    /**
     * Reads the start of {@code file} ({@code size} bytes long, at {@code path} for messages).
     * Throws {@link UnsupportedFormatException} for a version this code does not read, or a file
     * of the other kind; a file without the magic is version 0.
     */
    public static Read read(DataFile file, long size, Kind kind, Path path) throws IOException {
        if (size < SIZE) return new Read(LEGACY_VERSION, 0);
        ByteBuffer buf = RecordCodec.allocate(SIZE);
        int n = 0;
        while (n < SIZE) {
            int r = file.read(buf.position(n), n);
            if (r <= 0) return new Read(LEGACY_VERSION, 0);
            n += r;
        }
        return decode(buf, kind, path);
    }

    /** As {@link #read}, from the first {@link #SIZE} bytes of {@code buf}. */
    public static Read decode(ByteBuffer buf, Kind kind, Path path) {
        if (buf.limit() < SIZE || buf.getInt(0) != MAGIC) return new Read(LEGACY_VERSION, 0);
        byte tag = buf.get(KIND_AT);
        if (tag == 0 && buf.getInt(KIND_AT) == 0) {
            return new Read(LEGACY_VERSION, 0); // a header a crash cut short: its bytes are scanned, and found to be no record
        }
        if (tag != kind.tag) {
            Kind other = tag == Kind.DATA.tag ? Kind.DATA : tag == Kind.HINT.tag ? Kind.HINT : null;
            throw new UnsupportedFormatException(path + " should be " + kind.description + " but its header says "
                    + (other == null ? "kind 0x" + Integer.toHexString(tag & 0xff) + ", which Cask never writes" : other.description)
                    + "; refusing to read it", path, -1);
        }
        int version = buf.get(VERSION_AT) & 0xff;
        if (version == LEGACY_VERSION || version > kind.currentVersion) {
            throw new UnsupportedFormatException(path + " has format version " + version + " (or a damaged header), and this Cask (" + CaskVersion.get()
                    + ") reads format versions " + LEGACY_VERSION + " to " + kind.currentVersion
                    + " of " + kind.description.substring(2) + "s" + (version > kind.currentVersion ? ": it was written by a newer Cask; open the database with that version" : "")
                    + "; nothing was changed", path, version);
        }
        return new Read(version, SIZE);
    }
}

package dev.cask.core;

import dev.cask.core.io.DataFile;
import dev.cask.core.io.FileLayer;
import dev.cask.core.io.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** Writes hint files (atomically: temp file, force, rename, directory sync) and loads them into the index. */
final class HintFiles {
    private static final int BUFFER = 1 << 20;

    private HintFiles() {}

    /** Streams hint entries into a temporary file; {@link #commit} makes it the segment's hint. */
    static final class Writer implements AutoCloseable {
        private final FileLayer files;
        private final Path temp;
        private final Path target;
        private final DataFile out;
        private final ByteBuffer buf = RecordCodec.allocate(BUFFER);
        private long written;
        private int entries;

        Writer(FileLayer files, Path dir, int segmentId) throws IOException {
            this(files, dir, segmentId, dir.resolve(SegmentNames.hintName(segmentId) + SegmentNames.TEMP_SUFFIX));
        }

        /** A writer into {@code temp}; with {@link #finish} (not {@link #commit}) the caller renames it. */
        Writer(FileLayer files, Path dir, int segmentId, Path temp) throws IOException {
            this.files = files;
            this.target = dir.resolve(SegmentNames.hintName(segmentId));
            this.temp = temp;
            this.out = files.open(temp, OpenMode.WRITE);
            out.truncate(0);
            buf.put(FileHeader.encode(FileHeader.Kind.HINT));
        }

        void add(long timestamp, long expiry, byte[] key, long valueSize, long valuePosition) throws IOException {
            if (buf.remaining() < HintCodec.entrySize(key.length)) flush();
            HintCodec.encodeEntry(buf, timestamp, expiry, key, valueSize, valuePosition);
            entries++;
        }

        /** Writes the trailer, forces the file, renames it into place and syncs the directory. */
        void commit(long dataSize) throws IOException {
            finish(dataSize);
            files.rename(temp, target);
            files.syncDirectory(target.getParent());
        }

        /** Writes the trailer and forces the temporary file, leaving the rename to the caller. */
        void finish(long dataSize) throws IOException {
            if (buf.remaining() < HintCodec.HEADER_SIZE) flush();
            HintCodec.encodeTrailer(buf, dataSize, entries);
            flush();
            out.force(true);
            out.close();
        }

        private void flush() throws IOException {
            buf.flip();
            int n = buf.remaining();
            out.write(buf, written);
            written += n;
            buf.clear();
        }

        /** Closes without committing: the temporary file is deleted. */
        @Override
        public void close() throws IOException {
            out.close();
            files.delete(temp);
        }
    }

    /** Writes the hint of a sealed data segment by scanning it. */
    static void writeFor(FileLayer files, Path dir, int segmentId) throws IOException {
        Path data = dir.resolve(SegmentNames.dataName(segmentId));
        try (DataFile in = files.open(data, OpenMode.READ); Writer writer = new Writer(files, dir, segmentId)) {
            long size = in.size();
            FileHeader.Read header = FileHeader.read(in, size, FileHeader.Kind.DATA, data);
            RecordCodec records = RecordCodec.forVersion(header.version());
            SegmentScanner scan = new SegmentScanner(in, size, header.firstRecord(), records);
            while (scan.next()) {
                ByteBuffer b = scan.buffer();
                int at = scan.at();
                if (records.isControl(b, at)) continue;
                boolean tombstone = records.isTombstone(b, at);
                writer.add(records.timestamp(b, at), records.expiry(b, at), records.key(b, at),
                        tombstone ? RecordCodec.TOMBSTONE : records.valueSize(b, at), scan.offset() + records.valueOffset(b, at));
            }
            if (scan.stop() != SegmentScanner.Stop.CLEAN_END) throw new IOException("segment " + data + " is damaged at offset " + scan.offset());
            writer.commit(size);
        }
    }

    /** The entry count a hint file's trailer claims, or -1 if it has no readable trailer. */
    static long trailerCount(FileLayer files, Path hint) {
        try (DataFile in = files.open(hint, OpenMode.READ)) {
            long size = in.size();
            if (size < HintCodec.HEADER_SIZE) return -1;
            ByteBuffer buf = RecordCodec.allocate(HintCodec.HEADER_SIZE);
            in.read(buf, size - HintCodec.HEADER_SIZE);
            if (HintCodec.check(buf, 0, HintCodec.HEADER_SIZE) < 0 || !HintCodec.isTrailer(buf, 0)) return -1;
            return Integer.toUnsignedLong(HintCodec.trailerCount(buf, 0));
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Applies the hint of {@code segment} to {@code index}, in record order. Returns null when the
     * whole hint was valid, else why not. The trailer is checked before anything is applied: a hint
     * written for another version of the data file (a repair rewrote it, and a crash kept the old
     * hint) is refused whole. A hint whose trailer is right but whose body is damaged may have had
     * a prefix applied, which is harmless: its entries are this very file's records, and the scan
     * of the data file that follows applies the same records again, in the same order.
     */
    static String load(FileLayer files, Path hint, Segment segment, Index.BulkLoad index) throws IOException {
        try (DataFile in = files.open(hint, OpenMode.READ)) {
            long size = in.size();
            String stale = LabDefects.on(LabDefects.Defect.HINT_APPLIED_BEFORE_ITS_CHECK) ? null : checkTrailer(in, size, segment.size);
            if (stale != null) return stale; // nothing applied: a hint of a data file since rewritten never reaches the keydir
            long firstEntry = FileHeader.read(in, size, FileHeader.Kind.HINT, hint).firstRecord();
            return HintLoader.load(in, size, firstEntry, segment, index);
        }
    }

    /** Why the trailer at the end of a hint does not describe a data file of {@code dataSize} bytes, or null if it does. */
    private static String checkTrailer(DataFile in, long size, long dataSize) throws IOException {
        if (size < HintCodec.HEADER_SIZE) return "shorter than a trailer";
        ByteBuffer buf = RecordCodec.allocate(HintCodec.HEADER_SIZE);
        in.read(buf, size - HintCodec.HEADER_SIZE);
        if (HintCodec.check(buf, 0, HintCodec.HEADER_SIZE) < 0 || !HintCodec.isTrailer(buf, 0)) return "its trailer is missing or damaged";
        if (HintCodec.trailerDataSize(buf, 0) != dataSize) {
            return "written for a data file of " + HintCodec.trailerDataSize(buf, 0) + " bytes, which now has " + dataSize;
        }
        return null;
    }
}

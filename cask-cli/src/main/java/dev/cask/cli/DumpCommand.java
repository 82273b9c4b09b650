package dev.cask.cli;

import dev.cask.core.FileHeader;
import dev.cask.core.RecordCodec;
import dev.cask.core.SegmentScanner;
import dev.cask.core.io.DataFile;
import dev.cask.core.io.FileLayer;
import dev.cask.core.io.OpenMode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "dump", mixinStandardHelpOptions = true,
        description = {"One line per record of a segment file: offset, CRC ok/bad, timestamp, expiry, key (escaped), value size.",
                "Reads the file only; works while the database is open elsewhere."})
final class DumpCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SEGMENT-FILE")
    Path file;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(file)) throw new CommandLine.ParameterException(spec.commandLine(), "no such segment file: " + file);
        PrintStream out = new PrintStream(new java.io.BufferedOutputStream(System.out, 1 << 16), false);
        int status = 0;
        try (DataFile data = FileLayer.real().open(file, OpenMode.READ)) {
            long size = data.size();
            FileHeader.Read fileHeader = FileHeader.read(data, size, FileHeader.Kind.DATA, file);
            RecordCodec records = RecordCodec.forVersion(fileHeader.version());
            ByteBuffer header = RecordCodec.allocate(records.maxHeaderSize());
            out.printf("format version %d%s%n", fileHeader.version(),
                    fileHeader.version() == FileHeader.LEGACY_VERSION ? " (no header: written before format versions; the next merge rewrites it)"
                            : ", header of " + fileHeader.firstRecord() + " bytes");
            long at = fileHeader.firstRecord();
            while (at < size) {
                header.clear();
                int headerBytes = Math.max(0, data.read(header, at));
                long length = records.claimedLength(header, 0, headerBytes);
                if (length < 0 && onlyZerosFrom(data, size, at, records)) {
                    out.printf("offset=%d ZEROS: %d byte(s) of zeros to the end: space the writer grew the active segment by and has not reached%n",
                            at, size - at);
                    break;
                }
                if (length == RecordCodec.INCOMPLETE) {
                    out.printf("offset=%d TORN: %d trailing byte(s), less than a header%n", at, size - at);
                    status = 1;
                    break;
                }
                if (length < 0 || at + length > size) {
                    status = 1;
                    long next = SegmentScanner.resync(data, size, at + 1, -1, records);
                    if (next < 0) {
                        out.printf("offset=%d TORN: impossible or cut-off header (claims %d bytes, %d left), and no valid record after it%n",
                                at, length, size - at);
                        break;
                    }
                    out.printf("offset=%d DAMAGED: %d byte(s) with an impossible header; valid records resume at offset %d%n", at, next - at, next);
                    at = next;
                    continue;
                }
                ByteBuffer record = RecordCodec.allocate((int) length);
                data.read(record, at);
                boolean ok = records.check(record, 0, (int) length) > 0;
                if (!ok) status = 1;
                out.printf("offset=%d crc=%s timestamp=%d expiry=%d %s%n", at, ok ? "ok" : "BAD", records.timestamp(record, 0),
                        records.expiry(record, 0), describe(records, record));
                at += length;
            }
        }
        out.flush();
        return status;
    }

    private static boolean onlyZerosFrom(DataFile data, long size, long at, RecordCodec records) throws IOException {
        SegmentScanner rest = new SegmentScanner(data, size, at, records);
        return !rest.next() && rest.stop() == SegmentScanner.Stop.ZEROS;
    }

    private static String describe(RecordCodec records, ByteBuffer record) {
        if (records.isBatchBegin(record, 0)) return "batch-begin count=" + records.batchCount(record, 0);
        if (records.isBatchCommit(record, 0)) return "batch-commit count=" + records.batchCount(record, 0);
        if (records.isControl(record, 0)) return "control(unknown)";
        String key = "key=\"" + Bytes.escape(records.key(record, 0)) + "\"";
        return records.isTombstone(record, 0) ? key + " tombstone" : key + " valueSize=" + records.valueSize(record, 0);
    }
}

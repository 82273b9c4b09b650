package dev.cask.lab;

import java.nio.ByteBuffer;

/**
 * What a file of lab records holds after a crash, against what the writer acknowledged.
 *
 * @param length bytes in the file
 * @param validRecords whole, correct records from the start (record i must hold sequence i)
 * @param tornRecords record slots after those that hold some bytes but are not a valid record
 * @param ackedRecords records the writer had acknowledged as durable
 * @param lostRecords acknowledged records not among the valid ones
 */
public record FileVerdict(long length, long validRecords, long tornRecords, long ackedRecords, long lostRecords) {

    public static FileVerdict of(byte[] image, int recordSize, long acked) {
        ByteBuffer all = ByteBuffer.wrap(image);
        long slots = ((long) image.length + recordSize - 1) / recordSize;
        long valid = 0;
        while (valid < slots && (valid + 1) * recordSize <= image.length
                && LabRecord.valid(all.slice((int) (valid * recordSize), recordSize), valid)) {
            valid++;
        }
        long torn = 0;
        for (long slot = valid; slot < slots; slot++) {
            int from = (int) (slot * recordSize);
            int to = Math.min(image.length, from + recordSize);
            for (int i = from; i < to; i++) {
                if (image[i] != 0) {
                    torn++;
                    break;
                }
            }
        }
        return new FileVerdict(image.length, valid, torn, acked, Math.max(0, acked - valid));
    }
}

package dev.cask.lab;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The child of a kill trial: writes records in one mode for ever, printing each sequence number
 * it acknowledges as durable, until the parent SIGKILLs it. Arguments: mode id, file, record size.
 */
public final class KillChild {
    private KillChild() {}

    public static void main(String[] args) throws Exception {
        SyncMode mode = SyncMode.valueOf(args[0].toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        int recordSize = Integer.parseInt(args[2]);
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
        try (RawWriter writer = new RawWriter(mode, RawWriter.openReal(Path.of(args[1]), mode, 256L << 20), recordSize, seq -> {
            out.println(seq);
            out.flush(); // the acknowledgement must leave the process before the next write
        })) {
            while (true) writer.writeNext();
        }
    }
}

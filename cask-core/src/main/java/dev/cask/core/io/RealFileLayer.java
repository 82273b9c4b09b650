package dev.cask.core.io;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/** {@link FileLayer} over {@code FileChannel} on the default file system. */
final class RealFileLayer implements FileLayer {
    static final RealFileLayer INSTANCE = new RealFileLayer();

    private RealFileLayer() {}

    @Override
    public DataFile open(Path path, OpenMode mode) throws IOException {
        if (!mode.writable()) return new ChannelFile(FileChannel.open(path, StandardOpenOption.READ), null);
        // a RandomAccessFile, for its setLength: FileChannel can cut a file but not grow it without writing
        String access = switch (mode) {
            case WRITE_SYNC -> "rws";
            case WRITE_DSYNC -> "rwd";
            default -> "rw";
        };
        RandomAccessFile file = new RandomAccessFile(path.toFile(), access); // FileNotFoundException, saying why, for any failure to open
        return new ChannelFile(file.getChannel(), file);
    }

    @Override
    public List<String> list(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void link(Path existing, Path link) throws IOException {
        Files.createLink(link, existing);
    }

    @Override
    public void delete(Path path) throws IOException {
        try {
            Files.delete(path);
        } catch (NoSuchFileException ignored) {
            // already gone: deleting is idempotent so that recovery can repeat it
        }
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        Files.createDirectories(dir);
    }

    /** {@code growable} is the RandomAccessFile behind {@code channel} when the file was opened for writing, else null. */
    private record ChannelFile(FileChannel channel, RandomAccessFile growable) implements DataFile {
        @Override
        public void write(ByteBuffer src, long position) throws IOException {
            long at = position;
            while (src.hasRemaining()) at += channel.write(src, at);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            int total = 0;
            while (dst.hasRemaining()) {
                int n = channel.read(dst, position + total);
                if (n < 0) break;
                total += n;
            }
            return total;
        }

        @Override
        public void force(boolean metadata) throws IOException {
            channel.force(metadata);
        }

        @Override
        public void truncate(long size) throws IOException {
            channel.truncate(size);
        }

        @Override
        public void extend(long size) throws IOException {
            if (growable == null) throw new java.nio.channels.NonWritableChannelException();
            if (channel.size() < size) growable.setLength(size); // ftruncate: a hole, no blocks
        }

        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public MemorySegment map(long offset, long length, Arena arena) throws IOException {
            if (offset + length > channel.size()) throw new IOException("cannot map past the end of the file");
            return channel.map(FileChannel.MapMode.READ_ONLY, offset, length, arena);
        }

        @Override
        public void close() throws IOException {
            channel.close(); // closes the RandomAccessFile too
        }
    }
}

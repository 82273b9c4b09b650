package dev.cask.core.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** {@link FileLayer} over {@code FileChannel} on the default file system. */
final class RealFileLayer implements FileLayer {
    static final RealFileLayer INSTANCE = new RealFileLayer();

    private RealFileLayer() {}

    @Override
    public DataFile open(Path path, OpenMode mode) throws IOException {
        List<OpenOption> options = new ArrayList<>(List.of(StandardOpenOption.READ));
        if (mode.writable()) {
            options.add(StandardOpenOption.WRITE);
            options.add(StandardOpenOption.CREATE);
        }
        if (mode == OpenMode.WRITE_SYNC) options.add(StandardOpenOption.SYNC);
        if (mode == OpenMode.WRITE_DSYNC) options.add(StandardOpenOption.DSYNC);
        return new ChannelFile(FileChannel.open(path, options.toArray(OpenOption[]::new)));
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

    private record ChannelFile(FileChannel channel) implements DataFile {
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
            channel.close();
        }
    }
}

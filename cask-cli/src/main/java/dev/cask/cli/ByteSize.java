package dev.cask.cli;

import dev.cask.resp.MemorySize;
import picocli.CommandLine;

/** Byte-count flags take redis.conf's units too ({@code --max-file-size 64mb}). */
final class ByteSize implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        try {
            return MemorySize.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}

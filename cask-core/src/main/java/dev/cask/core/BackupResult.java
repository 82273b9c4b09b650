package dev.cask.core;

import java.nio.file.Path;

/**
 * What {@link Cask#backup} made.
 *
 * @param destination the new database directory
 * @param linkedSegments sealed segments hard-linked (or copied where linking is impossible)
 * @param activeBytesCopied bytes of the active segment copied: everything written before the backup began, forced first
 */
public record BackupResult(Path destination, int linkedSegments, long activeBytesCopied) {}

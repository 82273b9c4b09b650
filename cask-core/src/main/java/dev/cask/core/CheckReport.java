package dev.cask.core;

import java.util.List;

/**
 * What {@link Verifier} found, and with repair, what it did.
 *
 * @param segments segment files checked
 * @param records valid records read
 * @param keysVerified keys whose newest value was read back through the keydir and CRC-checked
 * @param problems every damaged range found (before any repair)
 * @param repairs one line per repair made, naming where the cut bytes were copied
 */
public record CheckReport(int segments, long records, long keysVerified, List<Problem> problems, List<String> repairs) {

    /** A damaged byte range of a segment file. */
    public record Problem(String file, long offset, long length, String reason) {}

    /** True if nothing was damaged, or everything damaged was repaired. */
    public boolean healthy() {
        return problems.isEmpty() || repairs.size() >= problems.size();
    }
}

package dev.cask.lab;

/**
 * One row of the fsync table.
 *
 * @param mode the row's name
 * @param kind "raw" (a plain writer) or "engine" (Cask under a sync policy)
 * @param recordsPerSec records written and acknowledged per second
 * @param fsyncsPerRecord explicit fsync and fdatasync calls per record (O_SYNC/O_DSYNC make none: every write is synchronous)
 * @param p50Micros median latency per record
 * @param p99Micros 99th-percentile latency per record
 * @param rawMode for an engine row, the raw row of the same mode; its ratio is recordsPerSec / that row's
 */
public record FsyncRow(String mode, String kind, double recordsPerSec, double fsyncsPerRecord, double writesPerRecord,
        double p50Micros, double p99Micros, String rawMode, double ratioToRaw) {}

package dev.cask.core;

import java.util.List;

/**
 * What opening a database found and did: foreign files left alone, a stale lock taken over, a
 * torn tail cut off (with a copy kept in {@code lost+found}).
 *
 * @param segments segments loaded
 * @param records valid records read
 * @param droppedBytes bytes cut from the active segment's torn tail
 * @param droppedRecords records cut with them: the torn one and any of an uncommitted batch
 * @param foreignFiles files in the directory that Cask does not own (never touched)
 * @param stalePid pid of a dead process whose lock was taken over, or -1
 * @param messages one human-readable line per thing worth telling
 * @param hintsUsed sealed segments loaded from their hint file instead of a scan
 */
public record RecoveryReport(int segments, long records, long droppedBytes, int droppedRecords,
        List<String> foreignFiles, long stalePid, List<String> messages, int hintsUsed) {}

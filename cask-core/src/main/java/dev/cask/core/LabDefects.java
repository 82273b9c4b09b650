package dev.cask.core;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Defects the engine once had, which {@code cask crashtest --broken} puts back to show that the
 * crash lab finds each one. Nothing but the lab sets them. Each is read on a path that runs once
 * per close, failed merge, hint load or repair, never per write.
 */
public final class LabDefects {
    /** A defect of the durability issue, by what the engine then did. */
    public enum Defect {
        /** Defect 1: a merge that failed after its commit began did not stop later merges, which dropped tombstones an orphan still needed. */
        MERGING_GOES_ON_AFTER_A_LATE_FAILURE,
        /** Defect 2: close forced outside group commit, ignored its failure, and a writer that found the file closed counted it as forced. */
        CLOSE_FORCES_ASIDE,
        /** Defect 5: a hint was applied before its trailer was checked, and repair replaced a data file before deleting its old hint. */
        HINT_APPLIED_BEFORE_ITS_CHECK
    }

    private static final Set<Defect> PUT_BACK = ConcurrentHashMap.newKeySet();

    private LabDefects() {}

    /** Puts {@code defect} back into every database of this JVM until {@link #clear}. */
    public static void putBack(Defect defect) {
        PUT_BACK.add(defect);
    }

    /** Removes every defect put back. */
    public static void clear() {
        PUT_BACK.clear();
    }

    static boolean on(Defect defect) {
        return !PUT_BACK.isEmpty() && PUT_BACK.contains(defect);
    }
}

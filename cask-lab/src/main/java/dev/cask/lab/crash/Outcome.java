package dev.cask.lab.crash;

/** What a crash followed by recovery left. */
public enum Outcome {
    OLD("old state"),
    NEW("new state"),
    DATA_LOST("consistent, but data lost"),
    REPAIRED("repaired by fsck"),
    GARBAGE("consistent, but reads garbage"),
    INCONSISTENT("inconsistent");

    public final String text;

    Outcome(String text) {
        this.text = text;
    }

    public boolean bad() {
        return this == GARBAGE || this == INCONSISTENT;
    }
}

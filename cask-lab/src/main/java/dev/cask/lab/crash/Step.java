package dev.cask.lab.crash;

/** One step of an operation on the model disk: a block write, or a barrier (flush) that orders them. */
public sealed interface Step {
    record Write(int block, Block content, String label) implements Step {
        @Override
        public String toString() {
            return label;
        }
    }

    record Barrier() implements Step {
        @Override
        public String toString() {
            return "|";
        }
    }
}

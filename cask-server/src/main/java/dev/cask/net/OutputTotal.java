package dev.cask.net;

/**
 * The output queued on all of one server's connections together, so that many slow readers,
 * each within its own output limit, cannot exhaust the heap between them. Loop thread only.
 */
public final class OutputTotal {
    private long bytes;

    /** Starts at zero bytes. */
    public OutputTotal() {
        // grows and shrinks as connections queue and send
    }

    void add(long delta) {
        bytes += delta;
    }

    public long bytes() {
        return bytes;
    }
}

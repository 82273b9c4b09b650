package dev.cask.net;

/**
 * What one client may make the server hold, and how much work one client gets per loop turn.
 *
 * @param maxClients connections beyond this are accepted and closed at once
 * @param readBufferBytes bytes read per connection per turn (fairness: a big pipeline waits its turn)
 * @param maxPendingOutput queued output beyond this disconnects the client (a slow reader cannot exhaust memory)
 */
public record ServerLimits(int maxClients, int readBufferBytes, long maxPendingOutput) {
    public static ServerLimits defaults() {
        return new ServerLimits(15_000, 64 << 10, 64L << 20);
    }
}

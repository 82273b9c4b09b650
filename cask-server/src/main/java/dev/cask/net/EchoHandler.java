package dev.cask.net;

import java.nio.ByteBuffer;

/** Sends every byte back, in order. */
public final class EchoHandler implements Handler {
    /** Stateless: one may serve every connection. */
    public EchoHandler() {
        // nothing to set up
    }

    @Override
    public void onData(Connection connection, ByteBuffer input) {
        connection.send(input);
    }
}

package dev.cask.net;

import java.nio.ByteBuffer;

/** Sends every byte back, in order. */
public final class EchoHandler implements Handler {
    @Override
    public void onData(Connection connection, ByteBuffer input) {
        connection.send(input);
    }
}

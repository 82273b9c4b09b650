package dev.cask.net;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The transport the server suite runs on: the {@code cask.transport} system property (Maven runs
 * the suite once per transport), else nio. Falling back is a failure here: a test must run on
 * the transport it names.
 */
public final class TestTransport {
    private TestTransport() {}

    public static String name() {
        return System.getProperty("cask.transport", "nio");
    }

    public static Transport start(Handler handler, ServerLimits limits) throws IOException {
        Transport t = Transports.start(name(), new InetSocketAddress("127.0.0.1", 0), handler, limits, "cask-io", notice -> {
            throw new AssertionError("the suite asked for transport " + name() + " but got a fallback: " + notice);
        });
        if (!t.name().equals(name())) throw new AssertionError("asked for " + name() + ", got " + t.name());
        return t;
    }
}

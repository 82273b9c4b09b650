package dev.cask.net;

import dev.cask.net.linux.Errno;

import dev.cask.net.linux.EpollTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * Starts the transport a user asked for: {@code nio} (the portable default), {@code epoll}
 * (edge-triggered, native), {@code epoll-lt} (level-triggered, for comparison) or
 * {@code io_uring}. A native transport the machine does not offer falls back to nio, with a
 * message naming the reason.
 */
public final class Transports {
    public static final String NAMES = "nio, epoll, epoll-lt, io_uring";

    private Transports() {}

    /** Checks a transport name; throws IllegalArgumentException naming the choices. */
    public static String check(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return switch (n) {
            case "nio", "epoll", "epoll-lt", "io_uring" -> n;
            default -> throw new IllegalArgumentException("unknown transport '" + name + "': expected one of " + NAMES);
        };
    }

    /**
     * Starts {@code name} on {@code bind}. A failure to bind (address in use, permission) is
     * thrown; a native transport that cannot start for a reason of the machine (no epoll, io_uring
     * disabled, an IPv6 address) falls back to nio after telling {@code notices} why.
     */
    public static Transport start(String name, InetSocketAddress bind, Handler handler, ServerLimits limits, String threadName,
                                  java.util.function.Consumer<String> notices) throws IOException {
        String kind = check(name);
        if (!kind.equals("nio")) {
            try {
                return switch (kind) {
                    case "epoll" -> EpollTransport.start(bind, handler, limits, true, threadName);
                    case "epoll-lt" -> EpollTransport.start(bind, handler, limits, false, threadName);
                    default -> dev.cask.net.linux.IoUringTransport.start(bind, handler, limits, threadName);
                };
            } catch (dev.cask.net.linux.NativeException e) {
                // EADDRINUSE, EACCES, EADDRNOTAVAIL from bind are the user's to fix; an EACCES from io_uring_setup (a sandbox or
                // kernel.io_uring_disabled) is the machine's, and falls back like any other missing feature
                boolean bindFailure = e.getMessage() != null && e.getMessage().startsWith("bind");
                if (bindFailure && (e.errno() == Errno.EADDRINUSE || e.errno() == Errno.EACCES || e.errno() == Errno.EADDRNOTAVAIL)) throw e;
                notices.accept("transport " + kind + " is not available here (" + e.getMessage() + "); falling back to nio");
            } catch (UnsatisfiedLinkError | IllegalStateException | UnsupportedOperationException e) {
                notices.accept("transport " + kind + " is not available here (" + e + "); falling back to nio");
            }
        }
        return NioTransport.start(bind, handler, limits, threadName);
    }
}

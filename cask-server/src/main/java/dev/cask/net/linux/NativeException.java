package dev.cask.net.linux;

import java.io.IOException;

/** A failed libc call, with its errno. */
public final class NativeException extends IOException {
    private final int errno;

    NativeException(String call, int errno) {
        super(call + (errno != 0 ? " failed: errno " + errno + " (" + Errno.name(errno) + ")" : ""));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}

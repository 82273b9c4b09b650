package dev.cask.net.linux;

/** The names of the errno values the transports meet, for messages. */
final class ErrnoNames {
    private ErrnoNames() {}

    static String name(int errno) {
        return switch (errno) {
            case 1 -> "EPERM";
            case 4 -> "EINTR";
            case 9 -> "EBADF";
            case 11 -> "EAGAIN";
            case 12 -> "ENOMEM";
            case 13 -> "EACCES";
            case 14 -> "EFAULT";
            case 22 -> "EINVAL";
            case 23 -> "ENFILE";
            case 24 -> "EMFILE";
            case 32 -> "EPIPE";
            case 38 -> "ENOSYS";
            case 95 -> "EOPNOTSUPP";
            case 98 -> "EADDRINUSE";
            case 99 -> "EADDRNOTAVAIL";
            case 104 -> "ECONNRESET";
            case 105 -> "ENOBUFS";
            default -> "errno " + errno;
        };
    }
}

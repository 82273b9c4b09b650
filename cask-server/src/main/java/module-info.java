/**
 * {@code cask serve}'s Redis protocol server and the event loops under it (NIO, epoll and
 * io_uring, the last two bound with {@code java.lang.foreign}: give it
 * {@code --enable-native-access=dev.cask.server} to use them; NIO needs nothing).
 */
module dev.cask.server {
    requires transitive dev.cask.core;
    requires HdrHistogram; // no module name of its own: the name comes from its jar's file name
    requires jdk.management; // the descriptor limit, for maxclients

    exports dev.cask.net;
    exports dev.cask.net.linux;
    exports dev.cask.resp;
}

package dev.cask.cli;

import dev.cask.net.EchoHandler;
import dev.cask.net.ServerLimits;
import dev.cask.net.Transport;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "echo", mixinStandardHelpOptions = true, description = "A TCP echo server on Cask's one-thread event loop: every byte comes back, in order.")
final class EchoCommand implements Callable<Integer> {
    @Option(names = "--port", paramLabel = "P", defaultValue = "7379", description = "Port (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1", description = "Address (default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--transport", paramLabel = "T", defaultValue = "nio",
            description = "Event loop: nio (default), epoll (edge-triggered), epoll-lt (level-triggered), io_uring.")
    String transportName;

    @Override
    public Integer call() throws Exception {
        dev.cask.net.Transports.check(transportName);
        CountDownLatch stopped = new CountDownLatch(1);
        Transport transport = dev.cask.net.Transports.start(transportName, new InetSocketAddress(bind, port), new EchoHandler(),
                ServerLimits.defaults(), "cask-io", notice -> System.getLogger(EchoCommand.class.getName()).log(System.Logger.Level.WARNING, notice));
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            transport.close();
            stopped.countDown();
        }));
        System.out.println("cask echo listening on " + bind + ":" + transport.port() + " (transport " + transport.name() + ", event loop thread " + transport.threadName() + ")");
        System.out.flush();
        stopped.await();
        return 0;
    }
}

package dev.cask.cli;

import dev.cask.net.EchoHandler;
import dev.cask.net.NioTransport;
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

    @Override
    public Integer call() throws Exception {
        CountDownLatch stopped = new CountDownLatch(1);
        Transport transport = NioTransport.start(new InetSocketAddress(bind, port), new EchoHandler(), ServerLimits.defaults(), "cask-io");
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            transport.close();
            stopped.countDown();
        }));
        System.out.println("cask echo listening on " + bind + ":" + transport.port() + " (transport nio, event loop thread " + transport.threadName() + ")");
        System.out.flush();
        stopped.await();
        return 0;
    }
}

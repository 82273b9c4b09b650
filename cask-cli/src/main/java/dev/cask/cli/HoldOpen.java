package dev.cask.cli;

import dev.cask.core.Cask;
import java.nio.file.Path;

/** Opens a database and holds it until killed: lets tests and users see what a second process gets. */
final class HoldOpen {
    private HoldOpen() {}

    public static void main(String[] args) throws InterruptedException {
        try (Cask cask = Cask.open(Path.of(args[0]))) {
            System.out.println("open");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}

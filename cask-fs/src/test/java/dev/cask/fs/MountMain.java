package dev.cask.fs;

import dev.cask.core.Cask;
import dev.cask.fs.fuse.FuseMount;
import java.nio.file.Path;
import java.util.List;

/** A mount in its own JVM, for the crash test to SIGKILL: {@code MountMain DB MOUNTPOINT WRITEBACK}; prints "ready" once serving. */
public final class MountMain {
    private MountMain() {
    }

    public static void main(String[] args) {
        Cask cask = Cask.open(Path.of(args[0]));
        CaskFileSystem fs = CaskFileSystem.load(cask, 0, 0, Boolean.parseBoolean(args[2]), msg -> System.err.println("mount: " + msg));
        FuseMount mount = FuseMount.mount(Path.of(args[1]), List.of("allow_other", "default_permissions", "auto_unmount"), fs,
                msg -> System.err.println("mount: " + msg));
        System.out.println("ready");
        System.out.flush();
        mount.loop();
        mount.close();
        cask.close();
    }
}

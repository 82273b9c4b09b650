package dev.cask.peers;

import dev.cask.core.Cask;
import dev.cask.core.CaskOptions;
import dev.cask.core.SyncCall;
import dev.cask.core.SyncPolicy;
import java.nio.file.Path;

final class CaskEngine implements Engine {
    private Cask cask;

    @Override
    public String name() {
        return "Cask";
    }

    @Override
    public String putMeans() {
        return "sync none: the record is in the page cache (survives a kill of the process, not a power cut)";
    }

    @Override
    public String durableMeans() {
        return "sync always:fdatasync: forced before the put returns, writers share a force (group commit)";
    }

    @Override
    public void open(Path dir, boolean durable) {
        SyncPolicy policy = durable ? new SyncPolicy.Always(SyncCall.FDATASYNC) : new SyncPolicy.None();
        cask = Cask.open(dir, CaskOptions.defaults().withSyncPolicy(policy));
    }

    @Override
    public void put(byte[] key, byte[] value) {
        cask.put(key, value);
    }

    @Override
    public byte[] get(byte[] key) {
        return cask.get(key);
    }

    @Override
    public void close() {
        if (cask != null) cask.close();
        cask = null;
    }
}

package dev.cask.peers;

import java.nio.file.Path;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/** H2's MVStore with one map of byte arrays, its background auto-commit on. */
final class H2Engine implements Engine {
    private MVStore store;
    private MVMap<byte[], byte[]> map;
    private boolean durable;

    @Override
    public String name() {
        return "H2 MVStore";
    }

    @Override
    public String putMeans() {
        return "in memory only: the background auto-commit writes it within about a second (a kill loses that much)";
    }

    @Override
    public String durableMeans() {
        return "put, then commit() and sync() (FileChannel.force) before it returns";
    }

    @Override
    public void open(Path dir, boolean durable) {
        this.durable = durable;
        store = new MVStore.Builder().fileName(dir.resolve("store.mv.db").toString()).open();
        map = store.openMap("data");
    }

    @Override
    public void put(byte[] key, byte[] value) {
        map.put(key, value);
        if (durable) {
            store.commit();
            store.sync();
        }
    }

    @Override
    public byte[] get(byte[] key) {
        return map.get(key);
    }

    /** Committed, then compacted for up to a minute (its chunks of superseded pages otherwise stay in the file). */
    @Override
    public void settle() {
        store.commit();
        store.compactFile(60_000);
    }

    @Override
    public void close() {
        if (store != null) store.close();
        store = null;
    }
}

package dev.cask.peers;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;

/** LMDB through lmdbjava: one write transaction per put (writers take LMDB's one writer lock in turn). */
final class LmdbEngine implements Engine {
    private static final long MAP_SIZE = 8L << 30;

    private Env<ByteBuffer> env;
    private Dbi<ByteBuffer> dbi;
    private static final ThreadLocal<ByteBuffer> KEY_BUFFERS = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(511));
    private static final ThreadLocal<ByteBuffer> VALUE_BUFFERS = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(1 << 16));
    /** A read transaction per thread, reset and renewed around each get (LMDB's way to reuse a reader slot). */
    private final java.util.Map<Thread, Txn<ByteBuffer>> readers = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public String name() {
        return "LMDB";
    }

    @Override
    public String putMeans() {
        return "MDB_NOSYNC: the transaction is committed into the page cache, not synced";
    }

    @Override
    public String durableMeans() {
        return "default flags: each write transaction's commit is fdatasynced before it returns";
    }

    @Override
    public void open(Path dir, boolean durable) {
        java.io.File file = dir.toFile();
        if (!file.exists() && !file.mkdirs()) throw new IllegalStateException("cannot create " + dir);
        Env.Builder<ByteBuffer> builder = Env.create().setMapSize(MAP_SIZE).setMaxDbs(1).setMaxReaders(256);
        env = durable ? builder.open(file) : builder.open(file, EnvFlags.MDB_NOSYNC);
        dbi = env.openDbi("data", DbiFlags.MDB_CREATE);
    }

    private ByteBuffer key(byte[] key) {
        ByteBuffer buffer = KEY_BUFFERS.get().clear();
        return buffer.put(key).flip();
    }

    @Override
    public void put(byte[] key, byte[] value) {
        ByteBuffer v = VALUE_BUFFERS.get().clear();
        dbi.put(key(key), v.put(value).flip());
    }

    @Override
    public byte[] get(byte[] key) {
        Txn<ByteBuffer> txn = readers.get(Thread.currentThread());
        if (txn == null) {
            txn = env.txnRead();
            readers.put(Thread.currentThread(), txn);
        } else {
            txn.renew();
        }
        try {
            ByteBuffer found = dbi.get(txn, key(key));
            if (found == null) return null;
            byte[] value = new byte[found.remaining()];
            found.get(value);
            return value;
        } finally {
            txn.reset();
        }
    }

    @Override
    public void close() {
        for (Txn<ByteBuffer> txn : readers.values()) txn.close();
        readers.clear(); // a reopened environment starts with no readers
        if (env != null) env.close();
        env = null;
    }
}

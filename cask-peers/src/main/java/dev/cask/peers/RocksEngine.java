package dev.cask.peers;

import java.nio.file.Path;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteOptions;

/** RocksDB through rocksdbjni with its default options, but no compression (the values are random; the goal compares uncompressed bytes). */
final class RocksEngine implements Engine {
    private Options options;
    private WriteOptions writeOptions;
    private RocksDB db;

    @Override
    public String name() {
        return "RocksDB";
    }

    @Override
    public String putMeans() {
        return "WAL on, sync false: the write is in the WAL's page cache and the memtable";
    }

    @Override
    public String durableMeans() {
        return "WriteOptions.sync true: the WAL is fdatasynced before the put returns (its own group commit)";
    }

    @Override
    public void open(Path dir, boolean durable) throws Exception {
        RocksDB.loadLibrary();
        options = new Options().setCreateIfMissing(true).setCompressionType(CompressionType.NO_COMPRESSION);
        writeOptions = new WriteOptions().setSync(durable);
        db = RocksDB.open(options, dir.toString());
    }

    @Override
    public void put(byte[] key, byte[] value) throws Exception {
        db.put(writeOptions, key, value);
    }

    @Override
    public byte[] get(byte[] key) throws Exception {
        return db.get(key);
    }

    /** The memtable flushed and everything compacted into the last level: the smallest it gets. */
    @Override
    public void settle() throws Exception {
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.flush(flush);
        }
        db.compactRange();
    }

    @Override
    public void close() {
        if (db != null) db.close();
        if (writeOptions != null) writeOptions.close();
        if (options != null) options.close();
        db = null;
    }
}

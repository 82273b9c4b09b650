/**
 * Cask side by side with the engines a Java user would otherwise pick (RocksDB, LMDB, H2's
 * MVStore), one workload for all. RocksDB's and LMDB's jars have no module names: theirs come
 * from the jar file names.
 */
module dev.cask.peers {
    requires dev.cask.core;
    requires rocksdbjni;
    requires lmdbjava;
    requires com.h2database;
    requires java.management;

    exports dev.cask.peers;
}

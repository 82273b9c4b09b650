/** {@code cask mount}: a POSIX file system stored in a Cask database, served through libfuse3 (needs native access). */
module dev.cask.fs {
    requires transitive dev.cask.core;

    exports dev.cask.fs;
    exports dev.cask.fs.fuse;
}

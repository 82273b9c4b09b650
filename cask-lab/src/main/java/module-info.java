/** The durability and crash labs: {@code cask bench fsync}, {@code cask crashsim} and {@code cask crashtest}. */
module dev.cask.lab {
    requires transitive dev.cask.core;
    requires dev.cask.fs;

    exports dev.cask.lab;
    exports dev.cask.lab.crash;
}

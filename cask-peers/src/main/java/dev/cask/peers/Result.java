package dev.cask.peers;

/** One engine's figures from one run. */
record Result(String engine, double fillPerSecond, double getPerSecond, double durablePerSecond1, double durablePerSecond16,
        double reopenSeconds, double diskBytesPerKey, double heapBytesPerKey) {}

/** The engine's JMH benchmarks: nothing is exported; JMH, and its classes generated beside them, reach them reflectively. */
module dev.cask.bench {
    requires dev.cask.core;
    requires jmh.core;

    opens dev.cask.bench to jmh.core;
    opens dev.cask.bench.jmh_generated to jmh.core;
}

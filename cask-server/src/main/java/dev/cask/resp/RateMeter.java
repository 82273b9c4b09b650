package dev.cask.resp;

/**
 * A rate per second of a growing count, as Redis's {@code instantaneous_*} fields: sampled at
 * most every 100 ms, averaged over the last 16 samples (1.6 s). Loop thread only.
 */
final class RateMeter {
    private static final int SAMPLES = 16;
    private static final long SAMPLE_EVERY_MILLIS = 100;
    private final long[] perSecond = new long[SAMPLES];
    private int samples;
    private long lastMillis;
    private long lastCount;

    void sample(long nowMillis, long count) {
        long elapsed = nowMillis - lastMillis;
        if (elapsed < SAMPLE_EVERY_MILLIS) return;
        if (lastMillis != 0) perSecond[samples++ % SAMPLES] = (count - lastCount) * 1000 / elapsed;
        lastMillis = nowMillis;
        lastCount = count;
    }

    long perSecond() {
        int n = Math.min(samples, SAMPLES);
        if (n == 0) return 0;
        long sum = 0;
        for (int i = 0; i < n; i++) sum += perSecond[i];
        return sum / n;
    }
}

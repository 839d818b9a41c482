package clipd.index;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU time of the calling thread between laps, so each stage of a photo's way through the indexer (read, hash,
 * metadata, decode, resize, store) is charged what it cost, whatever else the machine runs. Inference runs on ONNX
 * Runtime's own threads and is not measured here. One clock per thread; about a microsecond per lap.
 */
final class StageClock {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean SUPPORTED = THREADS.isCurrentThreadCpuTimeSupported();

    private long last = now();

    /** CPU nanoseconds since the previous lap (or the clock's start). */
    long lap() {
        long now = now();
        long elapsed = now - last;
        last = now;
        return elapsed;
    }

    private static long now() {
        return SUPPORTED ? THREADS.getCurrentThreadCpuTime() : 0;
    }
}

package clipd.cli;

import clipd.index.IndexStats;
import clipd.util.DaemonThreads;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Prints indexing progress (count, rate, ETA) to stderr: redrawn in place every second on a terminal, one line
 * every ten seconds in a log. Quiet for runs that finish before the first report.
 */
final class ProgressReporter implements AutoCloseable {
    private final IndexStats stats;
    private final PrintStream err;
    private final boolean terminal;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("clipd-progress"));
    private volatile boolean drew;

    ProgressReporter(IndexStats stats, PrintStream err, boolean terminal) {
        this.stats = stats;
        this.err = err;
        this.terminal = terminal;
        long period = terminal ? 1 : 10;
        timer.scheduleAtFixedRate(this::report, period, period, TimeUnit.SECONDS);
    }

    private void report() {
        long total = stats.toProcess();
        if (total == 0) {
            err.print(terminal ? "\rscanning: " + stats.found() + " photos found" : "");
            drew = terminal;
            return;
        }
        String line = line(stats.processed(), total, stats.elapsedSeconds());
        if (terminal) {
            err.print("\r" + line + "   ");
        } else {
            err.println(line);
        }
        drew = true;
    }

    static String line(long done, long total, double seconds) {
        double rate = seconds > 0 ? done / seconds : 0;
        String eta = rate > 0 ? duration((total - done) / rate) : "?";
        return String.format(Locale.ROOT, "indexing: %d/%d photos, %.1f/s, ETA %s", done, total, rate, eta);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + String.format("%02d", s % 60) + "s";
        }
        return (s / 3600) + "h" + String.format("%02d", (s % 3600) / 60) + "m";
    }

    @Override
    public void close() {
        timer.shutdownNow();
        if (drew && terminal) {
            err.print("\r\033[K");
        }
        err.flush();
    }
}

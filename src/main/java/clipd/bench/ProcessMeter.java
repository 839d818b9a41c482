package clipd.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;

/** CPU time and resident memory of this process or another one, as benchmarks report them. */
public final class ProcessMeter {
    private ProcessMeter() {
    }

    /** CPU time this JVM has used, all threads, user and system. */
    static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    static double cpuSeconds(ProcessHandle process) {
        return process.info().totalCpuDuration().orElse(Duration.ZERO).toNanos() / 1e9;
    }

    /** The most this process has held in RAM since it started (Linux: VmHWM); empty where the system does not say. */
    static OptionalLong peakRssBytes() {
        return statusField(ProcessHandle.current().pid(), "VmHWM:");
    }

    /** What a process holds in RAM now: Linux's VmRSS, elsewhere ps. */
    static OptionalLong rssBytes(long pid) {
        OptionalLong linux = statusField(pid, "VmRSS:");
        if (linux.isPresent()) {
            return linux;
        }
        try {
            Process ps = new ProcessBuilder("ps", "-o", "rss=", "-p", Long.toString(pid)).start();
            String out = new String(ps.getInputStream().readAllBytes()).trim();
            return ps.waitFor() == 0 && !out.isEmpty() ? OptionalLong.of(Long.parseLong(out) * 1024)
                    : OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        }
    }

    public static String megabytes(OptionalLong bytes) {
        return bytes.isPresent() ? String.format(java.util.Locale.ROOT, "%.0f MB", bytes.getAsLong() / 1e6)
                : "not measured on this system";
    }

    private static OptionalLong statusField(long pid, String field) {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(field)) {
                    return OptionalLong.of(Long.parseLong(line.substring(field.length()).replace("kB", "").trim()) * 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or the process is gone
        }
        return OptionalLong.empty();
    }
}

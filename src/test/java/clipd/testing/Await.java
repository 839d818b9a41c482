package clipd.testing;

import java.util.function.BooleanSupplier;

/** Waits for something a background thread or process does, failing with what it waited for. */
public final class Await {
    private static final long TIMEOUT_NANOS = 30_000_000_000L;

    private Await() {
    }

    public static void until(BooleanSupplier condition, String what) throws InterruptedException {
        until(condition, what, TIMEOUT_NANOS / 1_000_000_000L);
    }

    public static void until(BooleanSupplier condition, String what, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}

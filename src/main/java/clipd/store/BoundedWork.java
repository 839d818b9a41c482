package clipd.store;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one read of a store file that may be damaged on a thread of its own, for at most a given time. MapDB follows
 * the links in the file as it finds them, so a block that points back to itself loops forever at full speed; such a
 * thread is stopped. It reads only a store that is being abandoned, and holds no lock that any other thread needs.
 */
final class BoundedWork {
    /** What the work did not finish within its time. */
    static final class TimedOut extends Exception {
        TimedOut(String message) {
            super(message);
        }
    }

    private BoundedWork() {
    }

    @SuppressWarnings({"deprecation", "removal"}) // Thread.stop: the only way to end a loop inside MapDB
    static <T> T run(String name, long millis, Callable<T> work) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                result.set(work.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        t.join(millis);
        if (t.isAlive()) {
            t.stop();
            throw new TimedOut(name + " took longer than " + millis / 1000 + " s");
        }
        Throwable e = failure.get();
        if (e instanceof Exception ex) {
            throw ex;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return result.get();
    }
}

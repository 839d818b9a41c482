package clipd.util;

import com.sun.jna.Native;

import java.util.Locale;

/**
 * Hands memory freed by a released ONNX Runtime session, and the Java heap a piece of work left free, back to the
 * system. glibc keeps freed heap pages for reuse (its mmap threshold grows with each large free), so without a trim
 * the resident size of a process that released its visual encoder would barely drop; the serial collector shrinks
 * the heap (to the service's -XX:MaxHeapFreeRatio) only at a full collection, which an idle daemon never reaches by
 * itself. Without glibc the trim does nothing.
 */
public final class NativeMemory {
    interface Glibc extends com.sun.jna.Library {
        int malloc_trim(long pad);
    }

    private static final Glibc GLIBC = load();

    private NativeMemory() {
    }

    private static Glibc load() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return null;
        }
        try {
            return Native.load("c", Glibc.class);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return null; // musl or no libc.so.6: nothing to trim with
        }
    }

    public static void handBack() {
        System.gc(); // the one moment a full collection is wanted: the work is over, nobody waits on it
        if (GLIBC != null) {
            try {
                GLIBC.malloc_trim(0);
            } catch (UnsatisfiedLinkError e) {
                // musl has no malloc_trim
            }
        }
    }
}

package clipd.store;

/** The disk holding the index has too little room left; nothing was written, and writing can resume later. */
public final class DiskFullException extends RuntimeException {
    DiskFullException(String message) {
        super(message);
    }
}

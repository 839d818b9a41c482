package clipd.store;

/**
 * The index file was found damaged while in use. By the time this is thrown it has been moved aside and a new one
 * holds what could be read from it; the message says so in one line. What was lost is found again by a full scan.
 */
public final class StoreDamagedException extends RuntimeException {
    StoreDamagedException(String message, Throwable cause) {
        super(message, cause);
    }
}

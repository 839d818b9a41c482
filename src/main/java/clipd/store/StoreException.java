package clipd.store;

/** The index store cannot be used; the message is one line for a person. */
public final class StoreException extends Exception {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}

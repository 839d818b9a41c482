package clipd.search;

/** A query that cannot be answered as asked; the message is one line for a person. */
public final class QueryException extends Exception {
    public QueryException(String message) {
        super(message);
    }
}

package clipd.http;

/** An error answer: HTTP status, a stable code for programs, a sentence for people. */
final class ApiError extends RuntimeException {
    final int status;
    final String code;

    ApiError(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }
}

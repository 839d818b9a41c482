package clipd.http;

import io.javalin.http.Context;

/** The owner's credential: the access token from the data directory, sent as {@code Authorization: Bearer}. */
final class Authentication {
    private final AccessToken token;

    Authentication(AccessToken token) {
        this.token = token;
    }

    void requireToken(Context ctx) {
        String header = ctx.header("Authorization");
        String given = header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : null;
        if (!token.matches(given)) {
            throw new ApiError(401, "token_required", "this call needs the token from the data directory's '"
                    + AccessToken.FILE_NAME + "' file as 'Authorization: Bearer TOKEN'");
        }
    }
}

package clipd.http;

import io.javalin.http.Context;

import java.util.Locale;

/**
 * Middleware: every request under {@code /api}, photo bytes included, carries the owner's credential, either the
 * access token as {@code Authorization: Bearer TOKEN} (the CLI, scripts) or the session cookie the page got for it
 * ({@link AuthRoutes}). The page's own files (everything outside {@code /api}) are public: they hold no photo and
 * no secret. The only public API call is the challenge, with which the daemon proves it knows the token.
 *
 * <p>A session cookie is a random nonce and its HMAC under a key derived from the token, so it needs no state,
 * survives a restart of the daemon and dies with the token.
 */
final class Authentication {
    static final String COOKIE = "clipd_session";
    private static final String SESSION = "session";
    private final AccessToken token;

    Authentication(AccessToken token) {
        this.token = token;
    }

    void check(Context ctx) {
        if (!isApi(ctx.path()) || ctx.path().equals(AuthRoutes.CHALLENGE)) {
            return;
        }
        if (!hasBearer(ctx) && !isSession(ctx.cookie(COOKIE))) {
            throw unauthorized();
        }
    }

    /** Under /api by any spelling the router might also accept (case, doubled slashes). */
    static boolean isApi(String path) {
        String p = path.replaceAll("/{2,}", "/").toLowerCase(Locale.ROOT);
        return p.equals("/api") || p.startsWith("/api/");
    }

    boolean hasBearer(Context ctx) {
        String header = ctx.header("Authorization");
        return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                && token.matches(header.substring(7).trim());
    }

    static ApiError unauthorized() {
        return new ApiError(401, "unauthorized", "run clipd open to sign in");
    }

    /** A new session cookie's value. */
    String newSession() {
        String nonce = AccessToken.randomHex(16);
        return nonce + "." + token.mac(SESSION, nonce);
    }

    boolean isSession(String value) {
        if (value == null) {
            return false;
        }
        int dot = value.indexOf('.');
        return dot > 0 && AccessToken.equal(token.mac(SESSION, value.substring(0, dot)), value.substring(dot + 1));
    }
}

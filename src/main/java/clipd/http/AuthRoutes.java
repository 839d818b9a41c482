package clipd.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * Signing in. {@code POST /api/session} with the token as a bearer (the page reads it from {@code #token=} in the
 * URL {@code clipd open} prints) answers 204 with the session cookie, which the browser then sends by itself but
 * no script can read and no other site's request carries. {@code GET /api/challenge?nonce=HEX}, the one call that
 * needs no credential, lets the CLI check that it talks to the daemon of its data directory before it sends the
 * token: only that daemon can answer with {@link AccessToken#proof}.
 */
final class AuthRoutes implements Routes {
    static final String SESSION = "/api/session";
    static final String CHALLENGE = "/api/challenge";

    record Proof(String proof) {
    }

    private final Authentication auth;
    private final AccessToken token;

    AuthRoutes(Authentication auth, AccessToken token) {
        this.auth = auth;
        this.token = token;
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.post(SESSION, this::signIn);
        routes.get(CHALLENGE, this::challenge);
    }

    private void signIn(Context ctx) {
        if (!auth.hasBearer(ctx)) {
            throw Authentication.unauthorized();
        }
        ctx.header("Set-Cookie", Authentication.COOKIE + "=" + auth.newSession() + "; HttpOnly; SameSite=Strict; Path=/");
        ctx.status(204);
    }

    private void challenge(Context ctx) {
        String nonce = ctx.queryParam("nonce");
        if (nonce == null || !nonce.matches("[0-9a-f]{32,128}")) {
            throw new ApiError(400, "bad_nonce", "send ?nonce= with 32 to 128 lower-case hex digits");
        }
        ctx.json(new Proof(token.proof(ctx.req().getLocalPort(), nonce)));
    }
}

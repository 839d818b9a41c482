package clipd.http;

import clipd.embed.ModelUnavailableException;
import clipd.search.QueryException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;

/**
 * Every failure as JSON {@code {"error": code, "message": sentence}}: a stable code for programs and a sentence
 * for people. Exceptions nobody expected are logged and answered with 500, never with a stack trace.
 */
final class ErrorAnswers {
    private static final System.Logger LOG = System.getLogger(HttpServer.class.getName());

    record Body(String error, String message) {
    }

    private ErrorAnswers() {
    }

    static void addTo(RoutesConfig routes) {
        routes.exception(ApiError.class, (e, ctx) -> send(ctx, e.status, e.code, e.getMessage()));
        routes.exception(QueryException.class, (e, ctx) -> send(ctx, 400, "bad_query", e.getMessage()));
        routes.exception(ModelUnavailableException.class,
                (e, ctx) -> send(ctx, 503, "model_unavailable", e.getMessage()));
        routes.exception(HttpResponseException.class,
                (e, ctx) -> send(ctx, e.getStatus(), "http_" + e.getStatus(), e.getMessage()));
        routes.exception(Exception.class, (e, ctx) -> {
            LOG.log(System.Logger.Level.ERROR, "{0} {1} failed: {2}", ctx.method(), ctx.path(), e.toString());
            send(ctx, 500, "internal", "something went wrong inside clipd; its log says what");
        });
        routes.error(404, "*", ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                send(ctx, 404, "not_found", "no such page or photo");
            }
        });
    }

    static void send(Context ctx, int status, String code, String message) {
        ctx.status(status).json(new Body(code, message == null ? code : message));
    }
}

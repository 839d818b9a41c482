package clipd.http;

import clipd.identify.PhotoFacts;
import clipd.search.PhotoFilter;
import clipd.search.QueryException;
import clipd.search.ResultPage;
import clipd.search.SearchHit;
import clipd.search.Searcher;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import org.eclipse.jetty.http.BadMessageException;

import java.io.InputStream;
import java.util.List;
import java.util.Locale;

/**
 * Searches: by text ({@code GET /api/search?q=}), by filters alone (newest first), by an image sent in the body
 * ({@code POST /api/search}, raw or as the multipart field {@code image}), "more like this"
 * ({@code GET /api/similar/{id}}) and every photo, newest first ({@code GET /api/photos}). Each honours the filters
 * and answers one page ({@code offset}, {@code top}) of {@link Hit}s, best first, with the size of the whole answer
 * in the {@code X-Total-Count} header.
 */
final class SearchRoutes implements Routes {
    static final int MAX_QUERY_LENGTH = 1000;

    /** One search result row; width, height and the capture date are null when unknown. */
    record Hit(String id, String path, float score, Integer width, Integer height, String taken, String thumbnail) {
    }

    private final Searcher searcher;
    private final PhotoIds ids;

    SearchRoutes(Searcher searcher, PhotoIds ids) {
        this.searcher = searcher;
        this.ids = ids;
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get("/api/search", this::text);
        routes.post("/api/search", this::image);
        routes.get("/api/similar/{id}", this::similar);
        routes.get("/api/photos", this::newest);
    }

    private void text(Context ctx) throws Exception {
        String q = ctx.queryParam("q");
        PhotoFilter filter = Params.filter(ctx);
        if ((q == null || q.isBlank()) && !filter.isEmpty()) {
            newest(ctx);
            return;
        }
        if (q == null || q.isBlank()) {
            throw new ApiError(400, "bad_query", "give a query as ?q=..., or filters such as ?after=2023");
        }
        if (q.length() > MAX_QUERY_LENGTH) {
            throw new ApiError(400, "bad_query", "the query is longer than " + MAX_QUERY_LENGTH + " characters");
        }
        Params.Paging p = Params.paging(ctx);
        requireReady();
        page(ctx, searcher.text(q, p.offset(), p.top(), filter));
    }

    private void image(Context ctx) throws Exception {
        Params.Paging p = Params.paging(ctx);
        PhotoFilter filter = Params.filter(ctx);
        byte[] image = uploadedImage(ctx);
        if (image.length == 0) {
            throw new ApiError(400, "bad_upload", "send an image as the request body");
        }
        requireReady();
        page(ctx, searcher.image(image, p.offset(), p.top(), filter));
    }

    private void similar(Context ctx) throws QueryException {
        PhotoFilter filter = Params.filter(ctx);
        Params.Paging p = Params.paging(ctx);
        page(ctx, searcher.similar(ids.pathOf(ctx), p.offset(), p.top(), filter));
    }

    private void newest(Context ctx) throws QueryException {
        PhotoFilter filter = Params.filter(ctx);
        Params.Paging p = Params.paging(ctx);
        page(ctx, searcher.newest(p.offset(), p.top(), filter));
    }

    private void page(Context ctx, ResultPage page) {
        ctx.header("X-Total-Count", String.valueOf(page.total()));
        ctx.json(rows(page.hits()));
    }

    private void requireReady() {
        if (!searcher.ready()) {
            throw new ApiError(503, "model_loading", "the text encoder is still loading; try again in a moment");
        }
    }

    private static byte[] uploadedImage(Context ctx) throws Exception {
        String type = ctx.contentType();
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/")) {
            return ctx.bodyAsBytes();
        }
        UploadedFile file;
        try {
            file = ctx.uploadedFile("image");
        } catch (Exception e) { // Javalin is Kotlin: the servlet's checked exceptions arrive undeclared
            throw badUpload(e);
        }
        if (file == null) {
            throw new ApiError(400, "bad_upload", "send the image as the multipart field 'image'");
        }
        try (InputStream in = file.content()) {
            return in.readAllBytes();
        }
    }

    /** A multipart body Jetty cannot parse (cut short, a wrong boundary, too large) is the client's error. */
    private static ApiError badUpload(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BadMessageException bad && bad.getCode() >= 400 && bad.getCode() < 500) {
                return new ApiError(bad.getCode(), bad.getCode() == 413 ? "too_large" : "bad_upload",
                        "the multipart body cannot be read: " + bad.getReason());
            }
        }
        return new ApiError(400, "bad_upload", "the multipart body cannot be read");
    }

    private List<Hit> rows(List<SearchHit> hits) {
        return hits.stream().map(h -> {
            String id = ids.idOf(h.path());
            PhotoFacts f = searcher.index().factsOf(h.path());
            Integer w = f != null && f.width() > 0 ? f.width() : null;
            Integer ht = f != null && f.height() > 0 ? f.height() : null;
            return new Hit(id, h.path(), h.score(), w, ht, Params.taken(f), ids.thumbnail(id));
        }).toList();
    }
}

package clipd.http;

import clipd.daemon.Daemon;
import clipd.embed.ModelUnavailableException;
import clipd.image.UnreadableImageException;
import clipd.identify.PhotoFacts;
import clipd.search.PhotoFilter;
import clipd.search.QueryException;
import clipd.search.SearchHit;
import clipd.search.Searcher;
import clipd.search.VectorIndex;
import clipd.store.PhotoRecord;
import clipd.store.PhotoStore;
import clipd.tags.PhotoTagger;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.UploadedFile;
import io.javalin.http.staticfiles.Location;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * clipd's local HTTP API and search page (Javalin on Jetty), listening on loopback unless told otherwise. Photos
 * are named by id only; a file is served only if it is in the index.
 */
public final class HttpServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HttpServer.class.getName());
    static final int MAX_QUERY_LENGTH = 1000;
    public static final int MAX_TOP = 500;

    public record Options(String listen, int port, long maxUploadBytes, Path thumbnailDir, long thumbnailCacheBytes,
                          long maxImagePixels) {
    }

    /** One search result row; width, height and the capture date are null when unknown. */
    record Hit(String id, String path, float score, Integer width, Integer height, String taken, String thumbnail) {
    }

    private final Options options;
    private final Searcher searcher;
    private final PhotoStore store;
    private final Daemon daemon;
    private final PhotoTagger tagger;
    private final Thumbnails thumbnails;
    private RequestGuard guard;
    private Javalin app;

    /**
     * @param tagger explains photos' tags; null when tagging is off
     */
    public HttpServer(Options options, Searcher searcher, PhotoStore store, Daemon daemon, PhotoTagger tagger) {
        this.options = options;
        this.searcher = searcher;
        this.store = store;
        this.daemon = daemon;
        this.tagger = tagger;
        this.thumbnails = new Thumbnails(options.thumbnailDir(), options.thumbnailCacheBytes(),
                options.maxImagePixels(), 2);
    }

    /** Starts listening; returns the port (useful when 0 asked for any free one). */
    public int start(AccessToken token) throws IOException {
        app = Javalin.create(config -> {
            config.jetty.host = options.listen();
            config.jetty.port = options.port();
            config.http.maxRequestSize = options.maxUploadBytes();
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.staticFiles.add("/web", Location.CLASSPATH);
            config.routes.before(ctx -> guard.check(ctx));
            config.routes.get("/api/status", ctx -> ctx.json(daemon.status()));
            config.routes.get("/api/search", this::searchText);
            config.routes.post("/api/search", this::searchImage);
            config.routes.get("/api/similar/{id}", this::similar);
            config.routes.get("/api/photos/{id}", this::photo);
            config.routes.get("/api/photos/{id}/tags", this::tags);
            config.routes.get("/api/facets", this::facets);
            config.routes.get("/api/photos/{id}/thumbnail", this::thumbnail);
            config.routes.get("/api/photos/{id}/file", this::file);
            config.routes.post("/api/reindex", ctx -> {
                guard.requireToken(ctx);
                daemon.requestRescan();
                ctx.status(202).json(Map.of("status", "rescan requested"));
            });
            config.routes.post("/api/folders", this::folders);
            config.routes.exception(ApiError.class, (e, ctx) -> error(ctx, e.status, e.code, e.getMessage()));
            config.routes.exception(QueryException.class, (e, ctx) -> error(ctx, 400, "bad_query", e.getMessage()));
            config.routes.exception(ModelUnavailableException.class,
                    (e, ctx) -> error(ctx, 503, "model_unavailable", e.getMessage()));
            config.routes.exception(HttpResponseException.class,
                    (e, ctx) -> error(ctx, e.getStatus(), "http_" + e.getStatus(), e.getMessage()));
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.log(System.Logger.Level.ERROR, "{0} {1} failed: {2}", ctx.method(), ctx.path(), e.toString());
                error(ctx, 500, "internal", "something went wrong inside clipd; its log says what");
            });
            config.routes.error(404, "*", ctx -> {
                if (ctx.result() == null || ctx.result().isEmpty()) {
                    error(ctx, 404, "not_found", "no such page or photo");
                }
            });
        });
        try {
            app.start();
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof java.net.BindException) {
                    throw cannotListen(options.listen(), options.port(), t);
                }
            }
            throw e;
        }
        int port = app.port();
        guard = new RequestGuard(RequestGuard.hostsFor(options.listen(), port), token);
        return port;
    }

    /** Fails now, before anything is created, when the address is taken (by another clipd serve, say). */
    public static void checkCanListen(String listen, int port) throws IOException {
        if (port == 0) {
            return;
        }
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new java.net.InetSocketAddress(java.net.InetAddress.getByName(listen), port));
        } catch (java.net.BindException e) {
            throw cannotListen(listen, port, e);
        }
    }

    private static IOException cannotListen(String listen, int port, Throwable cause) {
        return new IOException("cannot listen on " + listen + ":" + port + " (" + cause.getMessage()
                + "); is another clipd serve running? choose another with --port", cause);
    }

    private static void error(Context ctx, int status, String code, String message) {
        ctx.status(status).json(Map.of("error", code, "message", message == null ? code : message));
    }

    private void requireReady() {
        if (!searcher.ready()) {
            throw new ApiError(503, "model_loading", "the text encoder is still loading; try again in a moment");
        }
    }

    private int top(Context ctx) {
        String raw = ctx.queryParam("top");
        if ("all".equals(raw)) {
            return Integer.MAX_VALUE; // asked for by name (clipd search --all, or a --top above MAX_TOP)
        }
        try {
            int top = raw == null ? 20 : Integer.parseInt(raw);
            if (top >= 1 && top <= MAX_TOP) {
                return top;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ApiError(400, "bad_top", "top must be a whole number from 1 to " + MAX_TOP + ", or all");
    }

    /** The metadata filters, by the same names as the CLI options. */
    static PhotoFilter filter(Context ctx) throws QueryException {
        Map<String, String> values = new java.util.HashMap<>();
        for (String name : List.of("after", "before", "camera", "near", "folder", "type", "has_gps")) {
            String v = ctx.queryParam(name);
            if (v != null) {
                values.put(name, v);
            }
        }
        return PhotoFilter.parse(values);
    }

    private void searchText(Context ctx) throws Exception {
        String q = ctx.queryParam("q");
        PhotoFilter filter = filter(ctx);
        if ((q == null || q.isBlank()) && !filter.isEmpty()) {
            ctx.json(rows(searcher.index().newest(top(ctx), filter)));
            return;
        }
        if (q == null || q.isBlank()) {
            throw new ApiError(400, "bad_query", "give a query as ?q=..., or filters such as ?after=2023");
        }
        if (q.length() > MAX_QUERY_LENGTH) {
            throw new ApiError(400, "bad_query", "the query is longer than " + MAX_QUERY_LENGTH + " characters");
        }
        int top = top(ctx);
        requireReady();
        ctx.json(rows(searcher.text(q, top, filter)));
    }

    /** A multipart body Jetty cannot parse (cut short, a wrong boundary, too large) is the client's error. */
    private static ApiError badUpload(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.eclipse.jetty.http.BadMessageException bad && bad.getCode() >= 400 && bad.getCode() < 500) {
                return new ApiError(bad.getCode(), bad.getCode() == 413 ? "too_large" : "bad_upload",
                        "the multipart body cannot be read: " + bad.getReason());
            }
        }
        return new ApiError(400, "bad_upload", "the multipart body cannot be read");
    }

    private void searchImage(Context ctx) throws Exception {
        int top = top(ctx);
        PhotoFilter filter = filter(ctx);
        byte[] image;
        String type = ctx.contentType();
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/")) {
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
                image = in.readAllBytes();
            }
        } else {
            image = ctx.bodyAsBytes();
        }
        if (image.length == 0) {
            throw new ApiError(400, "bad_upload", "send an image as the request body");
        }
        requireReady();
        ctx.json(rows(searcher.image(image, top, filter)));
    }

    private void similar(Context ctx) {
        List<SearchHit> hits = searcher.similar(pathOf(ctx), top(ctx));
        ctx.json(rows(hits));
    }

    private void photo(Context ctx) {
        String path = pathOf(ctx);
        PhotoFacts f = searcher.index().factsOf(path);
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("id", VectorIndex.idOf(path));
        m.put("path", path);
        if (f != null) {
            m.put("taken", taken(f));
            m.put("taken_source", f.takenSource());
            m.put("latitude", f.latitude());
            m.put("longitude", f.longitude());
            m.put("camera", f.camera());
            m.put("make", f.make());
            m.put("model", f.model());
            m.put("lens", f.lens());
            m.put("orientation", f.orientation());
            m.put("width", f.width() > 0 ? f.width() : null);
            m.put("height", f.height() > 0 ? f.height() : null);
            m.put("type", f.type());
        }
        m.put("thumbnail", "/api/photos/" + VectorIndex.idOf(path) + "/thumbnail");
        m.put("file", "/api/photos/" + VectorIndex.idOf(path) + "/file");
        ctx.json(m);
    }

    private void tags(Context ctx) throws ModelUnavailableException {
        String path = pathOf(ctx);
        if (tagger == null) {
            throw new ApiError(409, "tags_off", "tagging is off (config key tags, or clipd serve --tags)");
        }
        PhotoRecord record = store.record(path).orElseThrow(() -> new ApiError(404, "not_found", "not indexed"));
        float[] vector = store.vector(record.hash());
        if (vector == null) {
            throw new ApiError(404, "not_found", "no embedding for this photo yet");
        }
        if (!tagger.ready()) {
            throw new ApiError(503, "tags_not_ready", "the tag vocabulary's embeddings are still being computed "
                    + "(once per model and vocabulary); try again in a few minutes");
        }
        ctx.json(tagger.explain(Path.of(path), vector, Math.min(top(ctx), 200)));
    }

    /** What the filters can choose from: cameras with their counts, the date range, file types, GPS count. */
    private void facets(Context ctx) {
        Map<String, Integer> cameras = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        Map<String, Integer> types = new java.util.TreeMap<>();
        long[] range = {Long.MAX_VALUE, Long.MIN_VALUE};
        int[] counts = new int[2];
        searcher.index().forEach((path, f) -> {
            counts[0]++;
            if (f == null) {
                return;
            }
            if (f.camera() != null) {
                cameras.merge(f.camera(), 1, Integer::sum);
            }
            if (f.type() != null) {
                types.merge(f.type(), 1, Integer::sum);
            }
            if (f.takenWallMillis() != null) {
                range[0] = Math.min(range[0], f.takenWallMillis());
                range[1] = Math.max(range[1], f.takenWallMillis());
            }
            if (f.hasGps()) {
                counts[1]++;
            }
        });
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("photos", counts[0]);
        m.put("cameras", cameras.entrySet().stream().map(e -> Map.of("name", e.getKey(), "count", e.getValue()))
                .toList());
        m.put("first_taken", range[0] == Long.MAX_VALUE ? null : wallDate(range[0]));
        m.put("last_taken", range[1] == Long.MIN_VALUE ? null : wallDate(range[1]));
        m.put("types", types);
        m.put("with_gps", counts[1]);
        ctx.json(m);
    }

    private static String wallDate(long wallMillis) {
        return java.time.LocalDateTime.ofEpochSecond(Math.floorDiv(wallMillis, 1000), 0,
                java.time.ZoneOffset.UTC).toLocalDate().toString();
    }

    /** ISO 8601: the photo's wall-clock time, with its UTC offset when the camera recorded one. */
    static String taken(PhotoFacts f) {
        if (f == null || f.takenWallMillis() == null) {
            return null;
        }
        java.time.LocalDateTime wall = java.time.LocalDateTime.ofEpochSecond(Math.floorDiv(f.takenWallMillis(), 1000),
                0, java.time.ZoneOffset.UTC);
        return f.offsetMinutes() == null ? wall.toString()
                : wall.atOffset(java.time.ZoneOffset.ofTotalSeconds(f.offsetMinutes() * 60)).toString();
    }

    private String pathOf(Context ctx) {
        String path = searcher.index().pathOf(ctx.pathParam("id"));
        if (path == null) {
            throw new ApiError(404, "not_found", "no indexed photo has that id");
        }
        return path;
    }

    private void thumbnail(Context ctx) throws Exception {
        String raw = ctx.queryParam("size");
        int size;
        try {
            size = raw == null ? 256 : Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            size = -1;
        }
        if (size < 32 || size > 1024) {
            throw new ApiError(400, "bad_size", "size must be from 32 to 1024");
        }
        String path = pathOf(ctx);
        PhotoRecord record = store.record(path).orElseThrow(() -> new ApiError(404, "not_found", "not indexed"));
        try {
            Path file = thumbnails.get(Path.of(path), record.hash(), size);
            ctx.contentType("image/jpeg").header("Cache-Control", "private, max-age=86400");
            ctx.result(Files.readAllBytes(file));
        } catch (UnreadableImageException | IOException e) {
            throw new ApiError(404, "unreadable", "the photo cannot be read now: " + e.getMessage());
        }
    }

    private void file(Context ctx) throws IOException {
        Path path = Path.of(pathOf(ctx));
        if (!Files.isRegularFile(path)) {
            throw new ApiError(404, "not_found", "the photo is no longer there");
        }
        String type = Files.probeContentType(path);
        ctx.contentType(type != null ? type : "application/octet-stream");
        ctx.result(Files.newInputStream(path));
    }

    private void folders(Context ctx) {
        guard.requireToken(ctx);
        Map<?, ?> body;
        try {
            body = ctx.bodyAsClass(Map.class);
        } catch (Exception e) {
            throw new ApiError(400, "bad_json", "send {\"add\": \"/path\"} or {\"remove\": \"/path\"}");
        }
        Object add = body.get("add");
        Object remove = body.get("remove");
        if (add instanceof String a && Path.of(a).isAbsolute()) {
            Path folder = Path.of(a).normalize();
            if (!Files.isDirectory(folder)) {
                throw new ApiError(400, "not_a_folder", folder + " is not a folder");
            }
            daemon.addFolder(folder);
        } else if (remove instanceof String r && Path.of(r).isAbsolute()) {
            daemon.removeFolder(Path.of(r).normalize());
        } else {
            throw new ApiError(400, "bad_json", "send {\"add\": \"/absolute/path\"} or {\"remove\": \"/absolute/path\"}");
        }
        ctx.status(202).json(Map.of("folders", daemon.folders().stream().map(Path::toString).toList()));
    }

    private List<Hit> rows(List<SearchHit> hits) {
        return hits.stream().map(h -> {
            String id = VectorIndex.idOf(h.path());
            PhotoFacts f = searcher.index().factsOf(h.path());
            Integer w = f != null && f.width() > 0 ? f.width() : null;
            Integer ht = f != null && f.height() > 0 ? f.height() : null;
            return new Hit(id, h.path(), h.score(), w, ht, taken(f), "/api/photos/" + id + "/thumbnail");
        }).toList();
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
    }
}

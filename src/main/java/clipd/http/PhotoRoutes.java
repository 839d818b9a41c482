package clipd.http;

import clipd.embed.ModelUnavailableException;
import clipd.identify.PhotoFacts;
import clipd.image.UnreadableImageException;
import clipd.search.VectorIndex;
import clipd.store.PhotoRecord;
import clipd.store.PhotoStore;
import clipd.tags.PhotoTagger;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * One indexed photo: its facts ({@code GET /api/photos/{id}}), why it has its tags ({@code .../tags}), a JPEG
 * thumbnail ({@code .../thumbnail?size=}), the original file ({@code .../file}) and what a browser can show
 * ({@code .../display}).
 */
final class PhotoRoutes implements Routes {
    /** A photo's facts; every field but id, path and the two links is null when unknown. */
    record Photo(String id, String path, String taken,
                 @JsonProperty("taken_source") String takenSource, Double latitude, Double longitude,
                 String camera, String make, String model, String lens, Integer orientation, Integer width,
                 Integer height, String type, String thumbnail, String file) {
    }

    static final int DISPLAY_SIZE = 2048;
    /** Formats every current browser shows, as PhotoFacts names them (and as image/TYPE their MIME type). */
    private static final Set<String> BROWSER_TYPES = Set.of("jpeg", "png", "gif", "webp", "bmp");

    private final VectorIndex index;
    private final PhotoIds ids;
    private final PhotoStore store;
    private final PhotoTagger tagger;
    private final Thumbnails thumbnails;

    /**
     * @param tagger explains photos' tags; null when tagging is off
     */
    PhotoRoutes(VectorIndex index, PhotoIds ids, PhotoStore store, PhotoTagger tagger, Thumbnails thumbnails) {
        this.index = index;
        this.ids = ids;
        this.store = store;
        this.tagger = tagger;
        this.thumbnails = thumbnails;
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get("/api/photos/{id}", this::facts);
        routes.get("/api/photos/{id}/tags", this::tags);
        routes.get("/api/photos/{id}/thumbnail", this::thumbnail);
        routes.get("/api/photos/{id}/file", this::file);
        routes.get("/api/photos/{id}/display", this::display);
    }

    private void facts(Context ctx) {
        String path = ids.pathOf(ctx);
        String id = ids.idOf(path);
        PhotoFacts f = index.factsOf(path);
        ctx.json(f == null ? new Photo(id, path, null, null, null, null, null, null, null, null, null, null, null, null,
                ids.thumbnail(id), ids.file(id))
                : new Photo(id, path, Params.taken(f), f.takenSource(), f.latitude(), f.longitude(), f.camera(),
                f.make(), f.model(), f.lens(), f.orientation(), f.width() > 0 ? f.width() : null,
                f.height() > 0 ? f.height() : null, f.type(), ids.thumbnail(id), ids.file(id)));
    }

    private void tags(Context ctx) throws ModelUnavailableException {
        String path = ids.pathOf(ctx);
        if (tagger == null) {
            throw new ApiError(409, "tags_off", "tagging is off (config key tags, or clipd serve --tags)");
        }
        float[] vector = store.vector(record(path).hash());
        if (vector == null) {
            throw new ApiError(404, "not_found", "no embedding for this photo yet");
        }
        if (!tagger.ready()) {
            throw new ApiError(503, "tags_not_ready", "the tag vocabulary's embeddings are still being computed "
                    + "(once per model and vocabulary); try again in a few minutes");
        }
        ctx.json(tagger.explain(Path.of(path), vector, Math.min(Params.top(ctx), 200)));
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
        rendition(ctx, ids.pathOf(ctx), size);
    }

    /**
     * The photo as a browser can show it: the original when every browser displays its format, else (HEIC, TIFF,
     * PNM, JPEG 2000, …) a JPEG of up to {@value #DISPLAY_SIZE} px, made once and cached with the thumbnails.
     */
    private void display(Context ctx) throws Exception {
        String path = ids.pathOf(ctx);
        PhotoFacts f = index.factsOf(path);
        String served = Files.probeContentType(Path.of(path));
        if (f != null && BROWSER_TYPES.contains(f.type()) && served != null && served.equals("image/" + f.type())) {
            file(ctx);
        } else {
            rendition(ctx, path, DISPLAY_SIZE);
        }
    }

    private void rendition(Context ctx, String path, int size) throws InterruptedException {
        try {
            Path file = thumbnails.get(Path.of(path), record(path).hash(), size);
            ctx.contentType("image/jpeg").header("Cache-Control", "private, max-age=86400");
            ctx.result(Files.readAllBytes(file));
        } catch (UnreadableImageException | IOException e) {
            throw new ApiError(404, "unreadable", "the photo cannot be read now: " + e.getMessage());
        }
    }

    private void file(Context ctx) throws IOException {
        Path path = Path.of(ids.pathOf(ctx));
        if (!Files.isRegularFile(path)) {
            throw new ApiError(404, "not_found", "the photo is no longer there");
        }
        String type = Files.probeContentType(path);
        ctx.contentType(type != null ? type : "application/octet-stream");
        ctx.result(Files.newInputStream(path));
    }

    private PhotoRecord record(String path) {
        return store.record(path).orElseThrow(() -> new ApiError(404, "not_found", "not indexed"));
    }
}

package clipd.http;

import clipd.daemon.LibraryControl;
import clipd.search.Facets;
import clipd.search.VectorIndex;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The library as a whole: the daemon's status ({@code GET /api/status}), what the filters can choose from
 * ({@code GET /api/facets}), and the two changes, a rescan ({@code POST /api/reindex}) and the watched folders
 * ({@code POST /api/folders} with {@code {"add": DIR}} or {@code {"remove": DIR}}).
 */
final class LibraryRoutes implements Routes {
    record FacetsBody(int photos, List<Facets.Count> cameras, @JsonProperty("first_taken") String firstTaken,
                      @JsonProperty("last_taken") String lastTaken, Map<String, Integer> types,
                      @JsonProperty("with_gps") int withGps) {
        static FacetsBody of(Facets f) {
            return new FacetsBody(f.photos(), f.cameras(), f.firstTaken() == null ? null : f.firstTaken().toString(),
                    f.lastTaken() == null ? null : f.lastTaken().toString(), f.types(), f.withGps());
        }
    }

    record Folders(List<String> folders) {
    }

    record Accepted(String status) {
    }

    private final LibraryControl library;
    private final VectorIndex index;

    LibraryRoutes(LibraryControl library, VectorIndex index) {
        this.library = library;
        this.index = index;
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get("/api/status", ctx -> ctx.json(library.status()));
        routes.get("/api/facets", ctx -> ctx.json(FacetsBody.of(Facets.of(index))));
        routes.post("/api/reindex", ctx -> {
            library.requestRescan();
            ctx.status(202).json(new Accepted("rescan requested"));
        });
        routes.post("/api/folders", this::folders);
    }

    private void folders(Context ctx) {
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
            library.addFolder(folder);
        } else if (remove instanceof String r && Path.of(r).isAbsolute()) {
            library.removeFolder(Path.of(r).normalize());
        } else {
            throw new ApiError(400, "bad_json", "send {\"add\": \"/absolute/path\"} or {\"remove\": \"/absolute/path\"}");
        }
        ctx.status(202).json(new Folders(library.folders().stream().map(Path::toString).toList()));
    }
}

package clipd.http;

import clipd.daemon.LibraryControl;
import clipd.search.ConceptModel;
import clipd.search.ConceptSummary;
import clipd.search.Concepts;
import clipd.store.ConceptRecord;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.List;

/**
 * Concepts taught by example: {@code GET /api/concepts} lists them; {@code POST /api/concepts} makes one or adds to
 * it ({@code {"name", "photos": [ids], "not": [ids], "text", "threshold"}}), {@code PUT /api/concepts/{name}}
 * makes it exactly as sent, {@code DELETE /api/concepts/{name}} removes it. Photos are named by id, as everywhere.
 * Every change asks the daemon for a pass, which re-tags the library from stored embeddings.
 */
final class ConceptRoutes implements Routes {
    record Listing(List<ConceptSummary> concepts, @JsonProperty("threshold_rule") String thresholdRule) {
    }

    record Changed(ConceptSummary concept) {
    }

    record Removed(String removed) {
    }

    private final Concepts concepts;
    private final LibraryControl library;
    private final PhotoIds ids;

    ConceptRoutes(Concepts concepts, LibraryControl library, PhotoIds ids) {
        this.concepts = concepts;
        this.library = library;
        this.ids = ids;
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get("/api/concepts", ctx -> ctx.json(new Listing(concepts.list().stream().map(ConceptSummary::of)
                .toList(), ConceptModel.THRESHOLD_RULE)));
        routes.post("/api/concepts", ctx -> changed(ctx, concepts.add(change(ctx, null))));
        routes.put("/api/concepts/{name}", ctx -> changed(ctx, concepts.replace(change(ctx, ctx.pathParam("name")))));
        routes.delete("/api/concepts/{name}", ctx -> {
            if (!concepts.remove(ctx.pathParam("name"))) {
                throw new ApiError(404, "not_found", "no concept is named '" + ctx.pathParam("name") + "'");
            }
            library.requestRescan();
            ctx.json(new Removed(ctx.pathParam("name")));
        });
    }

    private Concepts.Change change(Context ctx, String name) {
        JsonNode body;
        try {
            body = ctx.bodyAsClass(JsonNode.class);
        } catch (Exception e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            throw new ApiError(400, "bad_json", "send {\"name\": \"Rex\", \"photos\": [\"PHOTO_ID\", ...]}");
        }
        JsonNode threshold = body.path("threshold");
        return new Concepts.Change(name != null ? name : body.path("name").asText(null), paths(body.path("photos")),
                paths(body.path("not")), body.path("text").asText(null),
                threshold.isMissingNode() || threshold.isNull() ? null : threshold.asText());
    }

    private List<String> paths(JsonNode photoIds) {
        List<String> paths = new java.util.ArrayList<>();
        for (JsonNode id : photoIds) {
            try {
                paths.add(ids.pathOf(id.asText()));
            } catch (ApiError e) {
                throw new ApiError(400, "not_indexed", id.asText() + " is not indexed (concepts are made from "
                        + "indexed photos)");
            }
        }
        return paths;
    }

    private void changed(Context ctx, ConceptRecord concept) {
        library.requestRescan();
        ctx.json(new Changed(ConceptSummary.of(concept)));
    }
}

package clipd.http;

import clipd.search.DuplicateGroup;
import clipd.search.LibraryDuplicates;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Near-duplicate groups ({@code GET /api/duplicates?folder=&threshold=}): each group's photos with the facts a
 * person decides by, the suggested keeper first. Read-only: clipd never deletes or moves a photo.
 */
final class DuplicateRoutes implements Routes {
    record Member(String id, String path, boolean keep, float similarity, long bytes, int width, int height,
                  String taken, String camera, String thumbnail) {
    }

    record Group(String kind, List<Member> members) {
    }

    record Answer(float threshold, @JsonProperty("keep_rule") String keepRule, List<Group> groups) {
    }

    private final LibraryDuplicates duplicates;
    private final PhotoIds ids;

    DuplicateRoutes(LibraryDuplicates duplicates, PhotoIds ids) {
        this.duplicates = duplicates;
        this.ids = ids;
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get("/api/duplicates", this::groups);
    }

    private void groups(Context ctx) {
        float threshold = threshold(ctx);
        String folder = ctx.queryParam("folder");
        String prefix = folder == null || folder.isBlank() ? "" : Path.of(folder).normalize() + "/";
        List<DuplicateGroup> groups = duplicates.groups(prefix, threshold);
        if (groups == null) {
            throw new ApiError(503, "duplicates_not_ready", "clipd is still grouping the library; try again shortly");
        }
        ctx.json(new Answer(threshold, DuplicateGroup.KEEP_RULE, groups.stream().map(this::group).toList()));
    }

    private float threshold(Context ctx) {
        String raw = ctx.queryParam("threshold");
        if (raw == null) {
            return duplicates.threshold();
        }
        try {
            float t = Float.parseFloat(raw);
            if (t >= duplicates.threshold() && t <= 1) {
                return t;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ApiError(400, "bad_threshold", String.format(Locale.ROOT, "threshold must be a cosine from %.3f "
                + "(what clipd serve groups with: the model's duplicates.threshold) to 1", duplicates.threshold()));
    }

    private Group group(DuplicateGroup g) {
        List<Member> members = new java.util.ArrayList<>();
        for (DuplicateGroup.Member m : g.members()) {
            String id = ids.idOf(m.path());
            members.add(new Member(id, m.path(), members.isEmpty(), m.similarity(), m.bytes(), m.width(), m.height(),
                    m.taken(), m.camera(), PhotoIds.thumbnail(id)));
        }
        return new Group(g.kind().name().toLowerCase(Locale.ROOT), members);
    }
}

package clipd.http;

import clipd.search.VectorIndex;
import io.javalin.http.Context;

/** Photos in URLs are named by id only, never by path; an id nothing has is a 404. */
final class PhotoIds {
    private final VectorIndex index;

    PhotoIds(VectorIndex index) {
        this.index = index;
    }

    String idOf(String path) {
        return VectorIndex.idOf(path);
    }

    /** The indexed path of the {@code {id}} in the request's path. */
    String pathOf(Context ctx) {
        String path = index.pathOf(ctx.pathParam("id"));
        if (path == null) {
            throw new ApiError(404, "not_found", "no indexed photo has that id");
        }
        return path;
    }

    String thumbnail(String id) {
        return "/api/photos/" + id + "/thumbnail";
    }

    String file(String id) {
        return "/api/photos/" + id + "/file";
    }
}

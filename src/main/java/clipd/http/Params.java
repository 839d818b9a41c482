package clipd.http;

import clipd.identify.PhotoFacts;
import clipd.search.PhotoFilter;
import clipd.search.QueryException;
import clipd.search.ResultPage;
import io.javalin.http.Context;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Query parameters the routes share, and the shared way to write a capture date. */
final class Params {
    static final int MAX_TOP = 500;
    private static final List<String> FILTERS = List.of("after", "before", "camera", "near", "folder", "type",
            "has_gps");

    private Params() {
    }

    /** {@code ?top=}: how many results, 20 unless given; {@code all} (from offset 0) for the whole answer. */
    static int top(Context ctx) {
        String raw = ctx.queryParam("top");
        if ("all".equals(raw)) {
            return ResultPage.ALL;
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

    /** {@code ?offset=}: where a page of results starts, 0 unless given. */
    static int offset(Context ctx) {
        String raw = ctx.queryParam("offset");
        try {
            int offset = raw == null ? 0 : Integer.parseInt(raw);
            if (offset >= 0 && offset < ResultPage.MAX_DEPTH) {
                return offset;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ApiError(400, "bad_offset", "offset must be a whole number from 0 to " + (ResultPage.MAX_DEPTH - 1));
    }

    /** {@code ?offset=&top=} together: a page must lie within the depth an answer can be paged to. */
    static Paging paging(Context ctx) {
        Paging p = new Paging(offset(ctx), top(ctx));
        if (p.top() == ResultPage.ALL ? p.offset() != 0 : p.offset() + p.top() > ResultPage.MAX_DEPTH) {
            throw new ApiError(400, "too_deep", "results page only " + ResultPage.MAX_DEPTH
                    + " deep (offset + top); narrow the search with filters");
        }
        return p;
    }

    record Paging(int offset, int top) {
    }

    /** The metadata filters, by the same names as the CLI options. */
    static PhotoFilter filter(Context ctx) throws QueryException {
        Map<String, String> values = new HashMap<>();
        for (String name : FILTERS) {
            String v = ctx.queryParam(name);
            if (v != null) {
                values.put(name, v);
            }
        }
        return PhotoFilter.parse(values);
    }

    /** The capture date as the API writes it: {@link PhotoFacts#takenIso()}, null when unknown. */
    static String taken(PhotoFacts f) {
        return f == null ? null : f.takenIso();
    }
}

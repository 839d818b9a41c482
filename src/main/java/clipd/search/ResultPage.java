package clipd.search;

import java.util.List;

/**
 * One page of an answer: the hits from {@code offset} on, best (or newest) first, and {@code total}, how many
 * photos the whole answer ranks (every photo that passes the filters: a CLIP search orders them all).
 */
public record ResultPage(List<SearchHit> hits, int offset, int total) {
    /** How deep one may page into an answer; past it, narrowing the search is the way on. */
    public static final int MAX_DEPTH = 10_000;
    /** A {@code top} that asks for the whole answer at once, from offset 0 (the CLI's --all). */
    public static final int ALL = Integer.MAX_VALUE - 1;

    /** The slice of a ranked list that a page from {@code offset} shows. */
    static ResultPage of(List<SearchHit> ranked, int offset, int total) {
        return new ResultPage(offset >= ranked.size() ? List.of() : ranked.subList(offset, ranked.size()), offset,
                total);
    }

    /** Whether a further page exists within {@link #MAX_DEPTH}. */
    public boolean more() {
        int next = offset + hits.size();
        return !hits.isEmpty() && next < total && next < MAX_DEPTH;
    }
}

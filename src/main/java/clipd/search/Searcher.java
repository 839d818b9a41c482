package clipd.search;

import clipd.embed.ModelUnavailableException;
import clipd.util.RecentValues;

import java.util.List;
import java.util.Map;

/**
 * Answers searches against the live index: text, image and "more like this". Not ready until the text encoder
 * has been loaded once ({@link #warmUp}), so that the first person to search does not wait for it.
 */
public final class Searcher {
    private final QueryEmbedder embedder;
    private final VectorIndex index;
    private volatile boolean ready;
    /** The embeddings of the last few images searched by, by content hash. */
    private final RecentValues<String, float[]> recentImages = new RecentValues<>(8);

    public Searcher(QueryEmbedder embedder, VectorIndex index) {
        this.embedder = embedder;
        this.index = index;
    }

    public VectorIndex index() {
        return index;
    }

    /** Loads the text encoder by embedding a word; call from a background thread at start. */
    public void warmUp() throws ModelUnavailableException, QueryException {
        embedder.embed(QueryParser.parseText("photo"));
        ready = true;
    }

    public boolean ready() {
        return ready;
    }

    /** Ranked by a text query; pages from {@code offset}, {@code top} at a time. */
    public ResultPage text(String line, int offset, int top, PhotoFilter filter)
            throws ModelUnavailableException, QueryException {
        return ranked(embedder.embed(QueryParser.parseText(line)), offset, top, filter, null);
    }

    /** The best {@code top} for a text query. */
    public List<SearchHit> text(String line, int top, PhotoFilter filter)
            throws ModelUnavailableException, QueryException {
        return text(line, 0, top, filter).hits();
    }

    /**
     * Ranked by an image sent as bytes. A page asks again for every page, so the last few images' embeddings are
     * kept (by content hash) and paging costs no visual encoder run.
     */
    public ResultPage image(byte[] bytes, int offset, int top, PhotoFilter filter)
            throws ModelUnavailableException, QueryException {
        String key = sha256(bytes);
        float[] v = recentImages.get(key);
        if (v == null) {
            v = embedder.embedImage(bytes, "sent");
            recentImages.put(key, v);
        }
        return ranked(v, offset, top, filter, null);
    }

    /** Photos like an indexed one, itself left out, among those that pass the filter; null when it is not indexed. */
    public ResultPage similar(String path, int offset, int top, PhotoFilter filter) {
        float[] v = index.vectorOf(path);
        return v == null ? null : ranked(v, offset, top, filter, path);
    }

    /** The photos that pass the filter, newest first (what a search by filters alone, or none, shows). */
    public ResultPage newest(int offset, int top, PhotoFilter filter) {
        checkDepth(offset, top);
        List<SearchHit> hits = index.newest(offset + top, filter);
        return ResultPage.of(hits, offset, index.count(filter));
    }

    private ResultPage ranked(float[] query, int offset, int top, PhotoFilter filter, String leftOut) {
        checkDepth(offset, top);
        int extra = leftOut == null ? 0 : 1;
        List<SearchHit> hits = index.top(query, offset + top + extra, filter);
        int total = index.count(filter);
        if (leftOut != null) {
            hits = hits.stream().filter(h -> !h.path().equals(leftOut)).limit(offset + top).toList();
            if (filter.test(leftOut, index.factsOf(leftOut))) {
                total--;
            }
        }
        return ResultPage.of(hits, offset, Math.max(total, 0));
    }

    private static void checkDepth(int offset, int top) {
        if (offset == 0 && top == ResultPage.ALL) {
            return;
        }
        if (offset < 0 || top < 1 || offset + top > ResultPage.MAX_DEPTH) {
            throw new IllegalArgumentException("offset + top must be within " + ResultPage.MAX_DEPTH);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}

package clipd.search;

import clipd.embed.ModelUnavailableException;

import java.util.List;

/**
 * Answers searches against the live index: text, image and "more like this". Not ready until the text encoder
 * has been loaded once ({@link #warmUp}), so that the first person to search does not wait for it.
 */
public final class Searcher {
    private final QueryEmbedder embedder;
    private final VectorIndex index;
    private volatile boolean ready;

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

    public List<SearchHit> text(String line, int top, PhotoFilter filter)
            throws ModelUnavailableException, QueryException {
        return index.top(embedder.embed(QueryParser.parseText(line)), top, filter);
    }

    public List<SearchHit> image(byte[] bytes, int top, PhotoFilter filter)
            throws ModelUnavailableException, QueryException {
        return index.top(embedder.embedImage(bytes, "sent"), top, filter);
    }

    /** Photos like an indexed one, itself left out; null when the path is not indexed. */
    public List<SearchHit> similar(String path, int top) {
        float[] v = index.vectorOf(path);
        if (v == null) {
            return null;
        }
        return index.top(v, top + 1, PhotoFilter.NONE).stream().filter(h -> !h.path().equals(path)).limit(top).toList();
    }
}

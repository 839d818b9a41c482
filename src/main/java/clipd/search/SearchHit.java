package clipd.search;

/** One search result: an indexed photo and its similarity to the query. */
public record SearchHit(String path, float score) {
}

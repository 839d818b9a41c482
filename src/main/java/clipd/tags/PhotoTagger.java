package clipd.tags;

import clipd.embed.ClipModel;
import clipd.embed.ModelUnavailableException;
import clipd.identify.ContentHasher;
import clipd.identify.Sidecars;
import clipd.index.Indexer;
import clipd.store.PhotoRecord;
import clipd.store.PhotoStore;
import clipd.store.TagState;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps the XMP tags of indexed photos in step with their embeddings and the tag settings: a photo is (re)tagged
 * when it is new, its content changed, or the vocabulary, thresholds or mode changed — always from the stored
 * embedding, never by embedding again. What was written is remembered per photo, so nothing is rewritten needlessly
 * and the watcher can tell clipd's own sidecar writes from a person's edits. Told by the indexer when photos move
 * or go, it moves or deletes the sidecars that are only clipd's.
 */
public final class PhotoTagger implements Indexer.Departures {
    private static final System.Logger LOG = System.getLogger(PhotoTagger.class.getName());
    private static final int COMMIT_EVERY = 100;

    /** Told about every photo tagging looked at and wrote (or would write). */
    public interface Listener {
        Listener NONE = (photo, tags, outcome) -> { };

        void tagged(Path photo, List<String> tags, XmpFiles.Outcome outcome);
    }

    private final PhotoStore store;
    private final ClipModel model;
    private final TagVocabulary vocabulary;
    /** Loaded on first use: the first time for a model and vocabulary it takes the text encoder minutes. */
    private volatile TagScorer scorer;
    private final TagPolicy policy;
    private final XmpFiles files;
    private final String fingerprint;
    private final TagStats stats = new TagStats();
    /** Failed writes are retried when the process starts again, not in every pass (which could be every second). */
    private final Set<String> failedThisRun = ConcurrentHashMap.newKeySet();
    private volatile boolean cancelled;

    public PhotoTagger(PhotoStore store, ClipModel model, TagVocabulary vocabulary, TagPolicy policy, XmpFiles files) {
        this.store = store;
        this.model = model;
        this.vocabulary = vocabulary;
        this.policy = policy;
        this.files = files;
        this.fingerprint = policy.fingerprint(TagScorer.key(model.descriptor().name(), vocabulary), files);
    }

    public TagStats stats() {
        return stats;
    }

    public XmpFiles files() {
        return files;
    }

    /**
     * Why a photo has the tags it has, as a JSON-ready map: the best {@code top} candidates with their cosine and
     * probability, the ones chosen, and what its XMP holds now (all keywords, and which are clipd's).
     */
    public Map<String, Object> explain(Path photo, float[] vector, int top) throws ModelUnavailableException {
        TagScorer scorer = scorer();
        if (scorer == null) {
            throw new IllegalStateException("clipd is stopping");
        }
        List<TagScorer.Candidate> ranked = scorer.rank(vector);
        List<String> chosen = policy.choose(ranked);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", photo.toString());
        m.put("mode", files.mode().name().toLowerCase(Locale.ROOT));
        m.put("vocabulary_size", scorer.size());
        m.put("min_probability", policy.minProbability());
        m.put("max_tags", policy.maxTags());
        m.put("chosen", chosen);
        List<Map<String, Object>> candidates = new ArrayList<>();
        for (TagScorer.Candidate c : ranked.subList(0, Math.min(top, ranked.size()))) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("tag", c.tag());
            row.put("cosine", c.cosine());
            row.put("probability", c.probability());
            row.put("chosen", chosen.contains(c.tag()));
            candidates.add(row);
        }
        m.put("candidates", candidates);
        try {
            Path sidecar = Sidecars.existing(photo);
            m.put("xmp_file", sidecar != null ? sidecar.toString() : photo.toString());
            XmpKeywords now = files.current(photo);
            m.put("keywords", now.keywords());
            m.put("clipd_keywords", now.own());
        } catch (IOException e) {
            m.put("xmp_error", e.getMessage());
        }
        return m;
    }

    /** Whether the tags' embeddings are loaded, so that explanations answer at once. */
    public boolean ready() {
        return scorer != null;
    }

    /** Loads the tags' embeddings now (computing them if the store has none for this model and vocabulary). */
    public void prepare() throws ModelUnavailableException {
        scorer();
    }

    /** The scorer; null when a stop came while the tag embeddings were first computed. */
    private TagScorer scorer() throws ModelUnavailableException {
        synchronized (this) {
            if (scorer == null) {
                scorer = TagScorer.load(model, vocabulary, store, new TagScorer.Computation() {
                    @Override
                    public boolean stopped() {
                        return cancelled;
                    }

                    @Override
                    public void progress(int done, int total) {
                        stats.vocabularyProgress(done, total);
                    }
                });
            }
            return scorer;
        }
    }

    /** Stops a pass between two photos. */
    public void cancel() {
        cancelled = true;
    }

    /**
     * Brings the tags of every indexed photo under {@code prefix} ("" for all) up to date. A photo whose state differs
     * only in the concepts gets its concept keywords decided again from its stored embedding, and is written only
     * when they change.
     */
    public void tagStale(String prefix, Listener listener) throws ModelUnavailableException {
        ConceptTags concepts = ConceptTags.of(store.concepts());
        String settings = fingerprint + concepts.fingerprint();
        List<Map.Entry<String, PhotoRecord>> stale = new ArrayList<>();
        List<Map.Entry<String, PhotoRecord>> conceptsStale = new ArrayList<>();
        long[] current = {0};
        store.forEachRecord(prefix, (path, record) -> {
            TagState state = store.tagState(path).orElse(null);
            boolean holds = state != null && state.hash().equals(record.hash()) && stillHolds(path, state);
            if (holds && state.settings().equals(settings)) {
                current[0] += state.tags().isEmpty() ? 0 : 1;
            } else if (holds && ConceptTags.withoutConcepts(state.settings()).equals(fingerprint)) {
                conceptsStale.add(Map.entry(path, record));
            } else if (!failedThisRun.contains(path + "\0" + record.hash())) {
                stale.add(Map.entry(path, record));
            }
        });
        long tagged = current[0];
        TagScorer scorer = stale.isEmpty() ? null : scorer();
        if (scorer == null && !stale.isEmpty()) {
            return; // stopped
        }
        int sinceCommit = 0;
        for (Map.Entry<String, PhotoRecord> e : conceptsStale) {
            if (cancelled) {
                break;
            }
            float[] vector = store.vector(e.getValue().hash());
            TagState state = store.tagState(e.getKey()).orElse(null);
            if (vector != null && state != null && retagConcepts(e.getKey(), e.getValue(), state,
                    concepts.matching(vector), settings, listener)) {
                tagged++;
            }
            if (++sinceCommit == COMMIT_EVERY) {
                store.commit();
                sinceCommit = 0;
            }
        }
        for (Map.Entry<String, PhotoRecord> e : stale) {
            if (cancelled) {
                break;
            }
            float[] vector = store.vector(e.getValue().hash());
            if (vector != null) {
                List<String> chosen = policy.choose(scorer.rank(vector));
                if (tag(e.getKey(), e.getValue(), chosen, concepts.matching(vector), settings, listener)) {
                    tagged++;
                }
            }
            if (++sinceCommit == COMMIT_EVERY) {
                store.commit();
                sinceCommit = 0;
            }
        }
        store.commit();
        stats.setTagged(tagged);
    }

    /**
     * Keeps a photo's other tags and decides its concept keywords again; writes only when they change, else only
     * remembers that its tags are current for these concepts. Returns whether it carries tags.
     */
    private boolean retagConcepts(String path, PhotoRecord record, TagState state, List<String> matching,
                                  String settings, Listener listener) {
        List<String> others = new ArrayList<>(state.tags());
        others.removeAll(state.conceptTags());
        if (Set.copyOf(union(others, matching)).equals(Set.copyOf(state.tags()))) {
            List<String> conceptTags = new ArrayList<>(matching);
            conceptTags.removeAll(others);
            store.putTagState(path, new TagState(state.hash(), settings, state.tags(), state.xmpFile(),
                    state.xmpSize(), state.xmpModifiedMillis(), conceptTags));
            return !state.tags().isEmpty() && state.xmpFile() != null;
        }
        return tag(path, record, others, matching, settings, listener);
    }

    /** {@code first}, then what of {@code then} it lacks. */
    private static List<String> union(List<String> first, List<String> then) {
        List<String> all = new ArrayList<>(first);
        then.stream().filter(t -> !first.contains(t)).forEach(all::add);
        return all;
    }

    /**
     * After tags were written into the photo itself, its new size and time are remembered (or the watcher would
     * read it again), but only when the file still holds the content the record names: a photo edited since it was
     * indexed keeps its old record, whose size and time no longer match, so that the next scan embeds the edit.
     */
    private void rememberOwnWrite(String path, Path photo, PhotoRecord record) throws IOException {
        BasicFileAttributes before = Files.readAttributes(photo, BasicFileAttributes.class);
        byte[] bytes = Files.readAllBytes(photo);
        int orientation = record.facts() == null ? 1 : record.facts().orientation();
        if (bytes.length == before.size() && ContentHasher.hash(bytes, orientation).equals(record.hash())
                && Files.getLastModifiedTime(photo).equals(before.lastModifiedTime())) {
            store.putRecord(path, new PhotoRecord(record.hash(), before.size(),
                    before.lastModifiedTime().toMillis(), record.facts()));
        }
    }

    /** The photo was renamed or moved (seen by the indexer): a sidecar that is only clipd's goes with it. */
    @Override
    public void moved(Path from, Path to) {
        report(from, files.photoMoved(from, to));
    }

    /** The photo was deleted (seen by the indexer): a sidecar that is only clipd's goes too. */
    @Override
    public void deleted(Path photo) {
        report(photo, files.photoDeleted(photo));
    }

    /** A sidecar named for a photo that is not there: when it is only clipd's, it goes. */
    @Override
    public void stranded(Path sidecar) {
        report(sidecar, files.sidecarStranded(sidecar));
    }

    private void report(Path photo, XmpFiles.Outcome outcome) {
        if (outcome.kind() == XmpFiles.Outcome.Kind.FAILED && !Files.exists(outcome.file())) {
            // the sidecar's folder moved or went while clipd moved it: the next events show where it is now
            LOG.log(System.Logger.Level.DEBUG, "sidecar of {0} left while clipd moved it: {1}", photo,
                    outcome.detail());
        } else if (outcome.kind() == XmpFiles.Outcome.Kind.UNCHANGED) {
            LOG.log(System.Logger.Level.DEBUG, "sidecar of {0} left as it is: {1}", photo,
                    outcome.detail() == null ? outcome.file() : outcome.detail());
        } else {
            stats.count(outcome);
            LOG.log(outcome.kind() == XmpFiles.Outcome.Kind.WRITTEN ? System.Logger.Level.DEBUG
                    : System.Logger.Level.WARNING, "sidecar of {0}: {1} {2}", photo, outcome.kind(),
                    outcome.detail() == null ? outcome.file() : outcome.detail());
        }
    }

    /**
     * Whether the photo's XMP still holds the tags a state says clipd left there: at once when the file has the size
     * and time clipd left it with (or nothing was written); otherwise (another app edited it, or a pass was killed
     * between the write and its record) by reading clipd's own keywords from it, and then the state is brought up to
     * date without writing anything.
     */
    private boolean stillHolds(String path, TagState state) {
        if (state.xmpFile() == null) {
            return true;
        }
        try {
            Path xmp = Path.of(state.xmpFile());
            BasicFileAttributes a = Files.readAttributes(xmp, BasicFileAttributes.class);
            if (a.size() == state.xmpSize() && a.lastModifiedTime().toMillis() == state.xmpModifiedMillis()) {
                return true;
            }
            if (!Set.copyOf(files.current(Path.of(path)).own()).equals(Set.copyOf(state.tags()))) {
                return false;
            }
            store.putTagState(path, new TagState(state.hash(), state.settings(), state.tags(), state.xmpFile(),
                    a.size(), a.lastModifiedTime().toMillis(), state.conceptTags()));
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Takes note of XMP files that changed since clipd wrote them (a person's edit, {@code clipd untag}): the
     * photo's remembered tags become the clipd keywords its XMP holds now, so that {@code tagged} counts what is
     * there, and the photo is not tagged again until it or the tag settings change. Paths that are not XMP clipd
     * wrote (photos, other files, clipd's own writes, still as written) change nothing.
     */
    public void noticeChanged(java.util.Collection<Path> paths) {
        boolean changed = false;
        for (Path p : paths) {
            for (String photo : photosWrittenTo(p)) {
                changed |= reread(photo, p);
            }
        }
        if (changed) {
            store.commit();
        }
    }

    /** The indexed photos whose tags clipd left in {@code xmp}: photo.jpg for photo.jpg.xmp, photo.* for photo.xmp. */
    private List<String> photosWrittenTo(Path xmp) {
        List<String> photos = new ArrayList<>();
        String file = xmp.toString();
        store.tagState(file).filter(s -> file.equals(s.xmpFile())).ifPresent(s -> photos.add(file)); // embedded
        if (file.endsWith(".xmp")) {
            String base = Sidecars.photoOf(xmp).toString();
            store.forEachRecord(base, (path, record) -> {
                if (store.tagState(path).filter(s -> file.equals(s.xmpFile())).isPresent()) {
                    photos.add(path);
                }
            });
        }
        return photos;
    }

    private boolean reread(String photo, Path xmp) {
        TagState state = store.tagState(photo).orElseThrow();
        try {
            boolean exists = Files.isRegularFile(xmp);
            long size = exists ? Files.size(xmp) : 0;
            long modified = exists ? Files.getLastModifiedTime(xmp).toMillis() : 0;
            if (exists && size == state.xmpSize() && modified == state.xmpModifiedMillis()) {
                return false; // as clipd wrote it
            }
            List<String> own = exists ? files.current(Path.of(photo)).own() : List.of();
            List<String> conceptTags = new ArrayList<>(state.conceptTags());
            conceptTags.retainAll(own);
            store.putTagState(photo, new TagState(state.hash(), state.settings(), own,
                    exists ? state.xmpFile() : null, size, modified, conceptTags));
            return true;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot read the XMP of {0}: {1}", photo, e.getMessage());
            return false;
        }
    }

    /**
     * Tags one photo with {@code tags} and the concepts it belongs to ({@code concepts}); returns whether it now
     * carries tags.
     */
    private boolean tag(String path, PhotoRecord record, List<String> tags, List<String> concepts, String settings,
                        Listener listener) {
        Path photo = Path.of(path);
        if (!Files.isRegularFile(photo)) {
            return false; // moved or deleted since it was indexed: a sidecar written now would be an orphan
        }
        List<String> chosen = union(tags, concepts);
        List<String> conceptTags = new ArrayList<>(concepts);
        conceptTags.removeAll(tags);
        XmpFiles.Outcome outcome = files.retag(photo, chosen);
        if (outcome.kind() == XmpFiles.Outcome.Kind.FAILED && !Files.isRegularFile(photo)) {
            return false; // moved or deleted (its folder, say) while clipd wrote: no failure, the indexer follows it
        }
        stats.count(outcome);
        LOG.log(System.Logger.Level.DEBUG, "tags of {0}: {1} {2}", photo, outcome.kind(), outcome.file());
        listener.tagged(photo, chosen, outcome);
        try {
            switch (outcome.kind()) {
                case WRITTEN, UNCHANGED, SKIPPED_READ_ONLY, REFUSED -> {
                    boolean written = outcome.kind() == XmpFiles.Outcome.Kind.WRITTEN
                            || outcome.kind() == XmpFiles.Outcome.Kind.UNCHANGED;
                    Path xmp = written ? outcome.file() : null;
                    if (written && files.mode() == XmpFiles.Mode.EMBED) {
                        rememberOwnWrite(path, photo, record);
                    }
                    if (outcome.kind() == XmpFiles.Outcome.Kind.REFUSED) {
                        LOG.log(System.Logger.Level.INFO, "tags not written for {0}: {1}", path, outcome.detail());
                    }
                    boolean exists = xmp != null && Files.isRegularFile(xmp);
                    store.putTagState(path, new TagState(record.hash(), settings, chosen,
                            exists ? xmp.toString() : null, exists ? Files.size(xmp) : 0,
                            exists ? Files.getLastModifiedTime(xmp).toMillis() : 0, conceptTags));
                    return !chosen.isEmpty() && written;
                }
                case CHANGED -> LOG.log(System.Logger.Level.INFO, "{0}: {1}", path, outcome.detail());
                case FAILED -> {
                    failedThisRun.add(path + "\0" + record.hash());
                    LOG.log(System.Logger.Level.WARNING, "cannot write tags for {0}: {1} (the photo is unchanged)",
                            path, outcome.detail());
                }
                case WOULD_WRITE -> {
                    // a dry run remembers nothing
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "tags of {0} written, but its new state cannot be read: {1}", path,
                    e.getMessage());
        }
        return false;
    }
}

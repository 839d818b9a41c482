package clipd.cli;

import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.embed.ModelUnavailableException;
import clipd.image.ImageDecoder;
import clipd.image.Preprocessor;
import clipd.index.FolderScanner;
import clipd.index.Indexer;
import clipd.search.Concepts;
import clipd.search.QueryEmbedder;
import clipd.store.PhotoStore;
import clipd.store.StoreException;
import clipd.tags.PhotoTagger;
import clipd.tags.TagVocabulary;
import clipd.tags.XmpFiles;

import java.io.IOException;

/** The model, the store and the image pipeline, opened together for one command and closed together. */
final class Components implements AutoCloseable {
    final Settings settings;
    final ModelDescriptor descriptor;
    final ClipModel model;
    final PhotoStore store;
    final ImageDecoder decoder;
    final Preprocessor preprocessor;
    private final Models models;

    private Components(Settings settings, Models models, PhotoStore store) {
        this.settings = settings;
        this.models = models;
        this.descriptor = models.model.descriptor();
        this.model = models.model;
        this.store = store;
        this.decoder = models.decoder;
        this.preprocessor = models.preprocessor;
    }

    static Components open(Settings settings) throws ModelUnavailableException, StoreException, UsageException {
        Models models = Models.open(settings);
        try {
            createDataDir(settings);
            return new Components(settings, models, PhotoStore.open(settings.storeFile(models.model.descriptor()
                    .name()), settings.minFreeBytes()));
        } catch (UsageException | StoreException | RuntimeException e) {
            models.close();
            throw e;
        }
    }

    /** The data directory, made when it is missing; a place where it cannot be is a settings error that says why. */
    private static void createDataDir(Settings settings) throws UsageException {
        try {
            java.nio.file.Files.createDirectories(settings.dataDir());
        } catch (IOException e) {
            throw new UsageException(settings.dataDirSource() + " is '" + settings.dataDir() + "', where no folder "
                    + "can be made (" + clipd.util.Problems.reason(e) + "); name a folder of your own for the index");
        } catch (UnsupportedOperationException | SecurityException e) {
            throw new UsageException(settings.dataDirSource() + " is '" + settings.dataDir() + "': " + e.getMessage());
        }
    }

    /** The indexer; given a tagger, the sidecars of photos that are renamed, moved or deleted follow them. */
    Indexer indexer(PhotoTagger tagger) {
        FolderScanner scanner = new FolderScanner(settings.excludedDirs(), settings.includeHidden())
                .excluding(settings.dataDir());
        Indexer indexer = new Indexer(store, model, decoder, preprocessor, scanner, settings.threads(),
                settings.batchSize());
        if (tagger != null) {
            indexer.listen(tagger);
        }
        return indexer;
    }

    /** Whether the settings ask for tags to be written. */
    boolean tagging() {
        return settings.tags().mode() != XmpFiles.Mode.OFF;
    }

    /** The tagger of the configured mode and vocabulary (its embeddings are computed on first use). */
    PhotoTagger tagger() throws IOException {
        TagSettings t = settings.tags();
        return new PhotoTagger(store, model, TagVocabulary.load(t.vocabulary(), t.vocabularyExtra()), t.policy(),
                t.files());
    }

    /** The query embedder; concepts' names in a query stand for their vectors. */
    QueryEmbedder queryEmbedder() {
        return new QueryEmbedder(model, decoder, preprocessor, concepts());
    }

    Concepts concepts() {
        return new Concepts(store, model);
    }

    @Override
    public void close() {
        models.close();
        store.close();
    }
}

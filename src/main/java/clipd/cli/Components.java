package clipd.cli;

import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.embed.ModelUnavailableException;
import clipd.image.ImageDecoder;
import clipd.image.Preprocessor;
import clipd.index.FolderScanner;
import clipd.index.Indexer;
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

    static Components open(Settings settings) throws ModelUnavailableException, StoreException {
        Models models = Models.open(settings);
        return new Components(settings, models, PhotoStore.open(settings.storeFile(models.model.descriptor().name()),
                settings.minFreeBytes()));
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

    QueryEmbedder queryEmbedder() {
        return new QueryEmbedder(model, decoder, preprocessor);
    }

    @Override
    public void close() {
        models.close();
        store.close();
    }
}

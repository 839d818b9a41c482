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

/** The model, the store and the image pipeline, opened together for one command and closed together. */
final class Components implements AutoCloseable {
    final Settings settings;
    final ModelDescriptor descriptor;
    final ClipModel model;
    final PhotoStore store;
    final ImageDecoder decoder;
    final Preprocessor preprocessor;

    private Components(Settings settings, ModelDescriptor descriptor, PhotoStore store) {
        this.settings = settings;
        this.descriptor = descriptor;
        this.model = new ClipModel(descriptor, settings.threads());
        this.store = store;
        this.decoder = new ImageDecoder(settings.maxImagePixels(), 4 * descriptor.imageSize());
        this.preprocessor = new Preprocessor(descriptor.imageSize(), descriptor.mean(), descriptor.std());
    }

    static Components open(Settings settings) throws ModelUnavailableException, StoreException {
        ModelDescriptor descriptor = ModelDescriptor.load(settings.modelDir());
        return new Components(settings, descriptor, PhotoStore.open(settings.storeFile(descriptor.name())));
    }

    Indexer indexer() {
        FolderScanner scanner = new FolderScanner(settings.excludedDirs(), settings.includeHidden());
        return new Indexer(store, model, decoder, preprocessor, scanner, settings.threads(), settings.batchSize());
    }

    QueryEmbedder queryEmbedder() {
        return new QueryEmbedder(model, decoder, preprocessor);
    }

    @Override
    public void close() {
        model.close();
        store.close();
    }
}

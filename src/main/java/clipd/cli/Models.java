package clipd.cli;

import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.embed.ModelUnavailableException;
import clipd.image.ImageDecoder;
import clipd.image.Preprocessor;

/** The model and its image pipeline without the index, for commands that only embed (embed, eval). */
final class Models implements AutoCloseable {
    final ClipModel model;
    final ImageDecoder decoder;
    final Preprocessor preprocessor;

    private Models(ModelDescriptor d, Settings settings) {
        this.model = new ClipModel(d, settings.modelOptions());
        this.decoder = new ImageDecoder(settings.maxImagePixels(), 4 * d.imageSize());
        this.preprocessor = new Preprocessor(d.imageSize(), d.mean(), d.std());
    }

    static Models open(Settings settings) throws ModelUnavailableException {
        return new Models(ModelDescriptor.load(settings.modelDir()), settings);
    }

    @Override
    public void close() {
        model.close();
    }
}

package clipd.embed;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A CLIP model: text and visual encoders in separate ONNX Runtime sessions, each created only when first needed,
 * so a text search never pays for loading the visual encoder. Embeddings are returned L2-normalised.
 */
public final class ClipModel implements AutoCloseable {
    private final ModelDescriptor descriptor;
    private final int threads;
    private final Object lock = new Object();
    private OnnxEncoder textual;
    private OnnxEncoder visual;
    private ClipTokenizer tokenizer;

    public ClipModel(ModelDescriptor descriptor, int threads) {
        this.descriptor = descriptor;
        this.threads = Math.max(1, threads);
    }

    public ModelDescriptor descriptor() {
        return descriptor;
    }

    public ClipTokenizer tokenizer() throws ModelUnavailableException {
        synchronized (lock) {
            if (tokenizer == null) {
                try {
                    tokenizer = ClipTokenizer.load(descriptor.tokenizerFile());
                } catch (IOException e) {
                    throw new ModelUnavailableException(descriptor.directory(), e.getMessage(), e);
                }
            }
            return tokenizer;
        }
    }

    public float[][] embedTexts(List<String> texts) throws ModelUnavailableException {
        int ctx = descriptor.contextLength();
        long[] ids = new long[texts.size() * ctx];
        ClipTokenizer tok = tokenizer();
        for (int i = 0; i < texts.size(); i++) {
            System.arraycopy(tok.tokenize(texts.get(i), ctx), 0, ids, i * ctx, ctx);
        }
        OnnxEncoder encoder = textual();
        try {
            return normalizeAll(encoder.run(ids, new long[] {texts.size(), ctx}));
        } catch (OrtException e) {
            throw new ModelUnavailableException(descriptor.directory(), "text encoder failed: " + OnnxEncoder.firstLine(e.getMessage()), e);
        }
    }

    /** Embeds {@code count} preprocessed images laid out one after another (CHW each) in {@code pixels}. */
    public float[][] embedImages(float[] pixels, int count) throws ModelUnavailableException {
        int size = descriptor.imageSize();
        OnnxEncoder encoder = visual();
        try {
            return normalizeAll(encoder.run(pixels, new long[] {count, 3, size, size}));
        } catch (OrtException e) {
            throw new ModelUnavailableException(descriptor.directory(), "visual encoder failed: " + OnnxEncoder.firstLine(e.getMessage()), e);
        }
    }

    /** The largest image batch the visual encoder accepts; loads it. */
    public int maxImageBatch() throws ModelUnavailableException {
        return visual().maxBatch();
    }

    public boolean visualLoaded() {
        synchronized (lock) {
            return visual != null;
        }
    }

    public boolean textualLoaded() {
        synchronized (lock) {
            return textual != null;
        }
    }

    private OnnxEncoder textual() throws ModelUnavailableException {
        synchronized (lock) {
            if (textual == null) {
                textual = load(descriptor.textualFile(), descriptor.textualInput(), descriptor.textualOutput());
            }
            return textual;
        }
    }

    private OnnxEncoder visual() throws ModelUnavailableException {
        synchronized (lock) {
            if (visual == null) {
                visual = load(descriptor.visualFile(), descriptor.visualInput(), descriptor.visualOutput());
            }
            return visual;
        }
    }

    private OnnxEncoder load(Path file, String input, String output) throws ModelUnavailableException {
        descriptor.requireFile(file);
        return new OnnxEncoder(OrtEnvironment.getEnvironment(), file, input, output, descriptor.embeddingDim(), threads);
    }

    private static float[][] normalizeAll(float[][] rows) {
        for (float[] row : rows) {
            Vectors.normalize(row);
        }
        return rows;
    }

    @Override
    public void close() {
        synchronized (lock) {
            for (OnnxEncoder e : new OnnxEncoder[] {textual, visual}) {
                if (e != null) {
                    try {
                        e.close();
                    } catch (OrtException ignored) {
                        // closing at shutdown; nothing useful to do
                    }
                }
            }
            textual = null;
            visual = null;
        }
    }
}

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

    /** Embeds texts, as many to a run of the text encoder as it accepts (an export may fix its batch at 1). */
    public float[][] embedTexts(List<String> texts) throws ModelUnavailableException {
        int ctx = descriptor.contextLength();
        ClipTokenizer tok = tokenizer();
        OnnxEncoder encoder = textual();
        float[][] out = new float[texts.size()][];
        for (int from = 0; from < texts.size(); from += encoder.maxBatch()) {
            int n = Math.min(encoder.maxBatch(), texts.size() - from);
            long[] ids = new long[n * ctx];
            for (int i = 0; i < n; i++) {
                System.arraycopy(tok.tokenize(texts.get(from + i), ctx), 0, ids, i * ctx, ctx);
            }
            try {
                System.arraycopy(normalizeAll(encoder.run(ids, new long[] {n, ctx})), 0, out, from, n);
            } catch (OrtException e) {
                throw new ModelUnavailableException(descriptor.directory(), "text encoder failed: "
                        + OnnxEncoder.firstLine(e.getMessage()), e);
            }
        }
        return out;
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

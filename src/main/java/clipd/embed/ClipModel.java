package clipd.embed;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import clipd.util.NativeMemory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A CLIP model: text and visual encoders in separate ONNX Runtime sessions, each created only when first needed,
 * so a text search never pays for loading the visual encoder. Embeddings are returned L2-normalised.
 *
 * <p>The visual encoder runs on the execution provider of the options (the first fallback to the CPU is logged
 * once and then kept); the text encoder always runs on the CPU, where a short query needs no device round trip.
 * With an idle time in the options, the visual encoder (about 350 MB for ViT-B-32) is released once it has not
 * been used for that long and loaded again by the next image: a daemon that only answers text queries keeps only
 * the text encoder. Thread-safe: sessions are created, used and released under one lock's bookkeeping, and a
 * session is never released while a run is in flight.
 */
public final class ClipModel implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ClipModel.class.getName());

    /**
     * How the encoders run.
     *
     * @param batch          the image batch a static-shape device (CoreML) compiles the visual encoder for
     * @param compiledModels where CoreML keeps compiled models (in the data dir); null for none
     * @param visualIdleMillis release the visual encoder after this long unused; 0 keeps it
     */
    public record Options(int threads, ExecutionProvider provider, int batch, Path compiledModels,
                          long visualIdleMillis) {
        public static Options cpu(int threads) {
            return new Options(threads, ExecutionProvider.CPU, 8, null, 0);
        }
    }

    private final ModelDescriptor descriptor;
    private final Options options;
    private static final int RECENT_TEXTS = 64;
    private final java.util.concurrent.atomic.AtomicLong textRuns = new java.util.concurrent.atomic.AtomicLong();
    private final Object lock = new Object();
    private final clipd.util.RecentValues<String, float[]> recentTexts = new clipd.util.RecentValues<>(RECENT_TEXTS);
    private SessionOpener opener;
    private OnnxEncoder textual;
    private OnnxEncoder visual;
    private ClipTokenizer tokenizer;
    /** The device the visual encoder ended up on the first time; reloads go straight there. */
    private ExecutionProvider visualDevice;
    private int visualRuns;
    private long visualLastUsed;
    private ScheduledExecutorService idleTimer;
    private ScheduledFuture<?> idleCheck;

    public ClipModel(ModelDescriptor descriptor, int threads) {
        this(descriptor, Options.cpu(threads));
    }

    public ClipModel(ModelDescriptor descriptor, Options options) {
        this.descriptor = descriptor;
        this.options = options;
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

    /**
     * Embeds texts, as many to a run of the text encoder as it accepts (an export may fix its batch at 1). The last
     * {@value #RECENT_TEXTS} texts' embeddings are kept: a page asks again for every page of results and every
     * change of a filter, and the text encoder is most of a query's time.
     */
    public float[][] embedTexts(List<String> texts) throws ModelUnavailableException {
        float[][] out = new float[texts.size()][];
        List<Integer> missing = new java.util.ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            float[] kept = recentTexts.get(texts.get(i));
            if (kept != null) {
                out[i] = kept.clone();
            } else {
                missing.add(i);
            }
        }
        if (missing.isEmpty()) {
            return out;
        }
        int ctx = descriptor.contextLength();
        ClipTokenizer tok = tokenizer();
        OnnxEncoder encoder = textual();
        for (int from = 0; from < missing.size(); from += encoder.maxBatch()) {
            int n = Math.min(encoder.maxBatch(), missing.size() - from);
            long[] ids = new long[n * ctx];
            for (int i = 0; i < n; i++) {
                System.arraycopy(tok.tokenize(texts.get(missing.get(from + i)), ctx), 0, ids, i * ctx, ctx);
            }
            float[][] rows;
            textRuns.incrementAndGet();
            try {
                rows = normalizeAll(encoder.run(ids, new long[] {n, ctx}));
            } catch (OrtException e) {
                throw new ModelUnavailableException(descriptor.directory(), "text encoder failed: "
                        + OnnxEncoder.firstLine(e.getMessage()), e);
            }
            for (int i = 0; i < n; i++) {
                int at = missing.get(from + i);
                out[at] = rows[i];
                recentTexts.put(texts.get(at), rows[i].clone());
            }
        }
        return out;
    }

    /** How many times the text encoder ran. */
    public long textRuns() {
        return textRuns.get();
    }

    /** Embeds {@code count} preprocessed images laid out one after another (CHW each) in {@code pixels}. */
    public float[][] embedImages(float[] pixels, int count) throws ModelUnavailableException {
        int size = descriptor.imageSize();
        OnnxEncoder encoder = borrowVisual();
        try {
            return normalizeAll(encoder.run(pixels, new long[] {count, 3, size, size}));
        } catch (OrtException e) {
            throw new ModelUnavailableException(descriptor.directory(), "visual encoder failed: " + OnnxEncoder.firstLine(e.getMessage()), e);
        } finally {
            giveBackVisual();
        }
    }

    /** The largest image batch the visual encoder accepts; loads it. */
    public int maxImageBatch() throws ModelUnavailableException {
        try {
            return borrowVisual().maxBatch();
        } finally {
            giveBackVisual();
        }
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

    /** The execution provider asked for. */
    public ExecutionProvider requestedProvider() {
        return options.provider();
    }

    /** Where the visual encoder runs (or ran, before it was released); null before it was first loaded. */
    public ExecutionProvider visualProvider() {
        synchronized (lock) {
            return visualDevice;
        }
    }

    /** "cpu", or "auto (not loaded yet)": for status lines. */
    public String providerStatus() {
        ExecutionProvider used = visualProvider();
        return used != null ? used.label() : options.provider().label() + " (not loaded yet)";
    }

    private OnnxEncoder textual() throws ModelUnavailableException {
        synchronized (lock) {
            if (textual == null) {
                descriptor.requireFile(descriptor.textualFile());
                textual = new OnnxEncoder(environment(), opener().cpu(descriptor.textualFile()),
                        descriptor.textualFile(), descriptor.textualInput(), descriptor.textualOutput(),
                        descriptor.embeddingDim());
            }
            return textual;
        }
    }

    private OnnxEncoder borrowVisual() throws ModelUnavailableException {
        synchronized (lock) {
            if (visual == null) {
                Path file = descriptor.visualFile();
                descriptor.requireFile(file);
                ExecutionProvider asked = visualDevice != null ? visualDevice : options.provider();
                visual = new OnnxEncoder(environment(),
                        opener().open(file, descriptor.visualInput(), asked, options.batch()), file,
                        descriptor.visualInput(), descriptor.visualOutput(), descriptor.embeddingDim());
                visualDevice = visual.provider();
                scheduleIdleCheck();
            }
            visualRuns++;
            return visual;
        }
    }

    private void giveBackVisual() {
        synchronized (lock) {
            visualRuns--;
            visualLastUsed = System.nanoTime();
        }
    }

    private static OrtEnvironment environment() {
        OrtNatives.unpackOnce();
        return OrtEnvironment.getEnvironment();
    }

    private SessionOpener opener() {
        if (opener == null) {
            opener = new SessionOpener(environment(), options.threads(), options.compiledModels());
        }
        return opener;
    }

    /** Checks a few times per idle period whether the visual encoder can go; nothing runs while it is released. */
    private void scheduleIdleCheck() {
        long idle = options.visualIdleMillis();
        if (idle <= 0) {
            return;
        }
        if (idleTimer == null) {
            idleTimer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "clipd-model-idle");
                t.setDaemon(true);
                return t;
            });
        }
        long period = Math.max(250, Math.min(30_000, idle / 4));
        visualLastUsed = System.nanoTime();
        idleCheck = idleTimer.scheduleWithFixedDelay(this::releaseVisualIfIdle, period, period, TimeUnit.MILLISECONDS);
    }

    private void releaseVisualIfIdle() {
        synchronized (lock) {
            long idleMillis = (System.nanoTime() - visualLastUsed) / 1_000_000;
            if (visual == null || visualRuns > 0 || idleMillis < options.visualIdleMillis()) {
                return;
            }
            closeQuietly(visual);
            visual = null;
            idleCheck.cancel(false);
            LOG.log(System.Logger.Level.DEBUG, "visual encoder released after {0} s unused", idleMillis / 1000);
        }
        NativeMemory.handBack();
    }

    private static float[][] normalizeAll(float[][] rows) {
        for (float[] row : rows) {
            Vectors.normalize(row);
        }
        return rows;
    }

    private static void closeQuietly(OnnxEncoder e) {
        if (e != null) {
            try {
                e.close();
            } catch (OrtException ignored) {
                // releasing; nothing useful to do
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closeQuietly(textual);
            closeQuietly(visual);
            textual = null;
            visual = null;
            if (idleTimer != null) {
                idleTimer.shutdownNow();
            }
        }
    }
}

package clipd.cli;

import clipd.bench.BenchPhotos;
import clipd.bench.DuplicatesBenchmark;
import clipd.bench.IdleBenchmark;
import clipd.bench.IndexBenchmark;
import clipd.bench.ProcessMeter;
import clipd.bench.RclipLoader;
import clipd.bench.SearchBenchmark;
import clipd.index.IndexStats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code clipd bench photos|index|search|idle}: speed and memory, measured on this machine and printed as numbers.
 * Every benchmark works in a fresh temporary folder and leaves the user's index and photos alone.
 */
final class BenchCommand {
    private BenchCommand() {
    }

    static int run(List<String> words, Cli cli) throws Exception {
        Args args = Args.parse(words, Options.BENCH.spec());
        List<String> rest = args.positional();
        if (args.flag("--help") || rest.isEmpty()) {
            (rest.isEmpty() && !args.flag("--help") ? cli.err : cli.out).print(Options.BENCH.help());
            return args.flag("--help") ? Main.OK : Main.USAGE;
        }
        Settings settings = Settings.from(args, cli.env);
        return switch (rest.get(0)) {
            case "photos" -> photos(args, rest, cli);
            case "index" -> index(args, rest, settings, cli);
            case "search" -> search(args, settings, cli);
            case "idle" -> idle(args, settings, cli);
            case "duplicates" -> duplicates(args, cli);
            default -> throw new UsageException("unknown benchmark '" + rest.get(0)
                    + "': photos, index, search, idle or duplicates");
        };
    }

    private static int photos(Args args, List<String> rest, Cli cli) throws Exception {
        if (rest.size() != 2) {
            throw new UsageException("say where to write them: clipd bench photos OUT [--count N] [--size WxH]");
        }
        int count = Args.parseInt("--count", orDefault(args.value("--count"), "100"), 1, 1_000_000);
        String[] size = orDefault(args.value("--size"), "4000x3000").split("x");
        if (size.length != 2) {
            throw new UsageException("--size takes WIDTHxHEIGHT, e.g. 4000x3000");
        }
        BenchPhotos generator = new BenchPhotos(Args.parseInt("--size", size[0], 16, 20_000),
                Args.parseInt("--size", size[1], 16, 20_000));
        Path out = Files.createDirectories(cli.resolve(rest.get(1)));
        long bytes = 0;
        for (int i = 1; i <= count; i++) {
            bytes += Files.size(generator.write(out, i));
            if (cli.terminal) {
                cli.err.printf(Locale.ROOT, "\r%d/%d photos", i, count);
            }
        }
        if (cli.terminal) {
            cli.err.print("\r");
        }
        cli.out.printf(Locale.ROOT, "wrote %d photos of %s pixels to %s, %.1f MB each on average%n", count,
                String.join("×", size), out, bytes / 1e6 / count);
        return Main.OK;
    }

    private static int index(Args args, List<String> rest, Settings settings, Cli cli) throws Exception {
        if (rest.size() != 2) {
            throw new UsageException("name the folder of photos to index: clipd bench index DIR");
        }
        Path source = cli.folder(rest.get(1), "clipd bench index takes a folder of photos");
        RclipLoader rclip = args.value("--compare-rclip") == null ? null
                : new RclipLoader(cli.resolve(args.value("--compare-rclip")),
                Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3");
        int rounds = Args.parseInt("--rounds", orDefault(args.value("--rounds"), rclip == null ? "1" : "3"), 1, 100);
        Path work = Files.createTempDirectory("clipd-bench-index");
        try (Models m = Models.open(settings)) {
            IndexBenchmark bench = new IndexBenchmark(m.model, m.decoder, m.preprocessor, settings.threads(),
                    settings.batchSize());
            IndexBenchmark.Photos photos = bench.copy(source, work);
            List<IndexBenchmark.Result> runs = new ArrayList<>();
            List<IndexStats> stats = new ArrayList<>();
            List<RclipLoader.Result> loaders = new ArrayList<>();
            for (int i = 0; i < rounds; i++) { // interleaved, so both sides see the same machine
                IndexStats s = new IndexStats();
                try (ProgressReporter ignored = new ProgressReporter(s, cli.err, cli.terminal)) {
                    runs.add(bench.measure(photos, work.resolve("index-" + i + ".db"), s));
                }
                stats.add(s);
                if (rclip != null) {
                    loaders.add(rclip.run(photos.files(), work));
                }
            }
            int median = medianIndex(runs.stream().mapToDouble(IndexBenchmark.Result::rate).toArray());
            IndexBenchmark.Result r = runs.get(median);
            IndexStats st = stats.get(median);
            double embedded = Math.max(1, st.embedded());
            double hashed = Math.max(1, st.hashed());
            int cores = Runtime.getRuntime().availableProcessors();
            cli.out.printf(Locale.ROOT, "model %s on %s (asked: %s), %d decode workers, batch %d, %d cores, "
                            + "JPEG decoder %s%n",
                    m.model.descriptor().name(), m.model.providerStatus(), m.model.requestedProvider().label(),
                    settings.threads(), settings.batchSize(), cores, clipd.image.ImageDecoder.jpegDecoder());
            cli.out.printf(Locale.ROOT, "indexed %d photos (%.1f MP on average) in %.1f s: %.2f images/s%n",
                    r.photos(), r.megapixels() / Math.max(1, r.photos()), r.seconds(), r.rate());
            cli.out.printf(Locale.ROOT, "  read+hash+metadata %.1f ms/photo, decode+preprocess %.1f ms/photo "
                            + "(worker time), inference %.1f ms/photo%n",
                    1000 * st.readSeconds() / hashed, 1000 * st.decodeSeconds() / embedded,
                    1000 * st.inferenceSeconds() / embedded);
            cli.out.printf(Locale.ROOT, "  CPU per photo: read %.1f, hash %.1f, metadata %.1f, decode %.1f, "
                            + "resize+normalise %.1f, inference %.1f (model only), store %.1f ms%n",
                    1000 * st.cpuSeconds(IndexStats.Stage.READ) / hashed,
                    1000 * st.cpuSeconds(IndexStats.Stage.HASH) / hashed,
                    1000 * st.cpuSeconds(IndexStats.Stage.METADATA) / hashed,
                    1000 * st.cpuSeconds(IndexStats.Stage.DECODE) / embedded,
                    1000 * st.cpuSeconds(IndexStats.Stage.RESIZE) / embedded, r.modelOnlyCpuMillis(),
                    1000 * st.cpuSeconds(IndexStats.Stage.STORE) / embedded);
            cli.out.printf(Locale.ROOT, "  CPU %.1f s, %.0f%% of %d cores; peak RSS %s%n", r.cpuSeconds(),
                    100 * r.cpuSeconds() / r.seconds() / cores, cores,
                    ProcessMeter.megabytes(r.peakRssBytes()));
            cli.out.printf(Locale.ROOT, "model only (ready tensors, batch %d): %.2f images/s%n",
                    Math.min(settings.batchSize(), m.model.maxImageBatch()), r.modelOnlyRate());
            cli.out.printf(Locale.ROOT, "pipeline / model only: %.0f%%%n", 100 * r.ratio());
            if (rounds > 1) {
                cli.out.printf(Locale.ROOT, "%d rounds, the median shown; clipd images/s: %s%n", rounds,
                        joined(runs.stream().mapToDouble(IndexBenchmark.Result::rate).toArray()));
            }
            if (rclip != null) {
                compareRclip(runs, loaders, cores, cli);
            }
            if (st.skipped() > 0) {
                cli.out.println("skipped " + st.skipped() + " files that are not readable photos");
            }
        } finally {
            delete(work, args.flag("--keep"), cli);
        }
        return Main.OK;
    }

    /** rclip's best case in each round, with that round's model CPU time, and the ratio; medians over rounds. */
    private static void compareRclip(List<IndexBenchmark.Result> runs, List<RclipLoader.Result> loaders, int cores,
                                     Cli cli) {
        int n = runs.size();
        double[] loaderCpu = new double[n];
        double[] loaderRate = new double[n];
        double[] best = new double[n];
        double[] ratio = new double[n];
        double[] clipdByCpu = new double[n];
        double[] cpuRatio = new double[n];
        for (int i = 0; i < n; i++) {
            RclipLoader.Result l = loaders.get(i);
            IndexBenchmark.Result r = runs.get(i);
            loaderCpu[i] = l.cpuMillisPerPhoto();
            loaderRate[i] = l.photos() / l.seconds();
            best[i] = l.bestCaseRate(cores, r.modelOnlyCpuMillis());
            ratio[i] = r.rate() / best[i];
            clipdByCpu[i] = cores * r.photos() / r.cpuSeconds();
            cpuRatio[i] = clipdByCpu[i] / best[i];
        }
        RclipLoader.Result l = loaders.get(0);
        cli.out.printf(Locale.ROOT, "rclip's loader (its _read_and_preprocess on %d threads, Pillow %s): %.0f ms "
                        + "CPU per photo, %.2f photos/s alone (rounds: %s ms)%n", l.workers(), l.pillow(),
                median(loaderCpu), median(loaderRate), joined(loaderCpu));
        cli.out.printf(Locale.ROOT, "rclip's best case on %d cores (loader + the same inference CPU, every core "
                        + "busy): %.2f images/s (rounds: %s)%n", cores, median(best), joined(best));
        cli.out.printf(Locale.ROOT, "clipd / rclip's best case: %.2fx (rounds: %s)%n", median(ratio), joined(ratio));
        // on a machine other processes share, wall-clock rates measure the share this one got; CPU time does not
        cli.out.printf(Locale.ROOT, "by CPU time alone (cores / CPU per photo, both sides): clipd %.2f images/s, "
                + "%.2fx rclip's best case (rounds: %s)%n", median(clipdByCpu), median(cpuRatio), joined(cpuRatio));
    }

    private static int medianIndex(double[] values) {
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
        return order[(order.length - 1) / 2];
    }

    private static double median(double[] values) {
        return values[medianIndex(values)];
    }

    private static String joined(double[] values) {
        return java.util.Arrays.stream(values).mapToObj(v -> String.format(Locale.ROOT, "%.2f", v))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private static int search(Args args, Settings settings, Cli cli) throws Exception {
        int vectors = Args.parseInt("--vectors", orDefault(args.value("--vectors"), "100000"), 1, 100_000_000);
        int runs = Args.parseInt("--runs", orDefault(args.value("--runs"), "200"), 10, 1_000_000);
        Path work = Files.createTempDirectory("clipd-bench-search");
        try (Models m = Models.open(settings)) {
            SearchBenchmark.Result r = new SearchBenchmark(m.model, m.decoder, m.preprocessor, runs).run(vectors, work);
            cli.out.printf(Locale.ROOT, "%,d photos: store filled in %.1f s, index loaded in %.1f s%n",
                    r.photos(), r.fillSeconds(), r.loadSeconds());
            cli.out.printf(Locale.ROOT, "  scan p50 %.1f ms, p99 %.1f ms; /api/search p50 %.1f ms, p99 %.1f ms "
                            + "(%d runs, %d cores, SIMD %s)%n",
                    SearchBenchmark.percentile(r.scanMillis(), 50), SearchBenchmark.percentile(r.scanMillis(), 99),
                    SearchBenchmark.percentile(r.httpMillis(), 50), SearchBenchmark.percentile(r.httpMillis(), 99),
                    runs, Runtime.getRuntime().availableProcessors(),
                    ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() ? "on" : "off");
            cli.out.printf(Locale.ROOT, "  of which the text encoder (tokenizer included) p50 %.1f ms, p99 %.1f ms; "
                            + "the next page of a query (its embedding kept) p50 %.1f ms, p99 %.1f ms%n",
                    SearchBenchmark.percentile(r.encodeMillis(), 50), SearchBenchmark.percentile(r.encodeMillis(), 99),
                    SearchBenchmark.percentile(r.pageMillis(), 50), SearchBenchmark.percentile(r.pageMillis(), 99));
            cli.out.printf(Locale.ROOT, "  per photo: %.0f bytes in the store, %.0f bytes of heap in the index%n",
                    r.storeBytesPerPhoto(), r.heapBytesPerPhoto());
        } finally {
            delete(work, args.flag("--keep"), cli);
        }
        return Main.OK;
    }

    private static int idle(Args args, Settings settings, Cli cli) throws Exception {
        int files = Args.parseInt("--files", orDefault(args.value("--files"), "100000"), 1, 10_000_000);
        int seconds = Args.parseInt("--seconds", orDefault(args.value("--seconds"), "60"), 1, 86_400);
        Path work = Files.createTempDirectory("clipd-bench-idle");
        try {
            Integer visualIdle = args.value("--visual-idle-seconds") == null ? null
                    : Args.parseInt("--visual-idle-seconds", args.value("--visual-idle-seconds"), 0, 86_400);
            IdleBenchmark.Result r = new IdleBenchmark().run(files, seconds, visualIdle, work, settings.modelDir(),
                    line -> cli.err.println("clipd bench: " + line));
            cli.out.printf(Locale.ROOT, "clipd serve watching %,d photos: indexed in %.1f s, then idle for %.0f s%n",
                    r.files(), r.indexSeconds(), r.quietSeconds());
            cli.out.printf(Locale.ROOT, "  CPU %.2f s (%.2f%% of one core); RSS %s; visual encoder (%s) %s%n",
                    r.cpuSeconds(), 100 * r.cpuShare(), ProcessMeter.megabytes(r.rssBytes()), r.provider(),
                    r.visualLoaded() ? "loaded" : "released");
            cli.out.printf(Locale.ROOT, "  with a file appended to every second, for %.0f s: CPU %.2f s (%.2f%% of one "
                    + "core)%n", r.changingSeconds(), r.changingCpuSeconds(), 100 * r.changingCpuShare());
            cli.out.printf(Locale.ROOT, "  started again on its index: first /api/search answered after %.2f s; "
                    + "RSS %.0f s later %s%n", r.restartSeconds(), r.quietSeconds(), ProcessMeter.megabytes(r.restartRssBytes()));
        } finally {
            delete(work, args.flag("--keep"), cli);
        }
        return Main.OK;
    }

    private static int duplicates(Args args, Cli cli) throws UsageException {
        int vectors = Args.parseInt("--vectors", orDefault(args.value("--vectors"), "100000"), 100, 100_000_000);
        float threshold = DuplicatesCommand.threshold(orDefault(args.value("--threshold"), "0.99"));
        DuplicatesBenchmark.Result r = new DuplicatesBenchmark().run(vectors, threshold);
        cli.out.printf(Locale.ROOT, "%,d photos (%,d with a near copy), cosine >= %.2f, %d cores%n", r.photos(),
                r.planted(), threshold, Runtime.getRuntime().availableProcessors());
        cli.out.printf(Locale.ROOT, "  grouped in %.1f s (%.1f s of CPU); one more photo added in %.2f ms%n",
                r.buildSeconds(), r.buildCpuSeconds(), r.addMillis());
        cli.out.printf(Locale.ROOT, "  %,d candidates compared (%.4f%% of all pairs); %,d exact embeddings read after"
                        + " the bfloat16 screen%n", r.comparisons(),
                100.0 * r.comparisons() / ((double) r.photos() * (r.photos() - 1) / 2), r.exactReads());
        cli.out.printf(Locale.ROOT, "  found %,d of %,d copies; %.0f MB of heap for the signature tables%n",
                r.found(), r.planted(), r.heapBytes() / 1e6);
        return Main.OK;
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }

    private static void delete(Path work, boolean keep, Cli cli) throws IOException {
        if (keep) {
            cli.err.println("clipd bench: kept " + work);
            return;
        }
        try (Stream<Path> files = Files.walk(work)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}

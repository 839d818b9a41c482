package clipd.cli;

import clipd.embed.ModelDescriptor;
import clipd.image.ImageDecoder;
import clipd.index.FolderScanner;
import clipd.store.PhotoStore;
import clipd.tags.XmpFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code clipd untag PATH... | --all}: removes exactly the keywords clipd wrote (from sidecars and embedded XMP),
 * leaving every keyword a person or another app wrote. A sidecar that held nothing but clipd's keywords goes.
 */
final class UntagCommand {
    private UntagCommand() {
    }

    static int run(List<String> words, Cli cli) throws Exception {
        Args args = Args.parse(words, Options.UNTAG.spec());
        if (args.flag("--help")) {
            cli.out.print(Options.UNTAG.help());
            return Main.OK;
        }
        if (args.flag("--all") == !args.positional().isEmpty()) {
            throw new UsageException("say clipd untag PATH... (photos or folders), or clipd untag --all");
        }
        Settings settings = Settings.from(args, cli.env);
        List<Path> photos = args.flag("--all") ? indexedPhotos(settings) : photosUnder(args.positional(), cli);
        XmpFiles files = new XmpFiles(XmpFiles.Mode.OFF, false, settings.tags().dryRun());
        Map<XmpFiles.Outcome.Kind, Integer> counts = new EnumMap<>(XmpFiles.Outcome.Kind.class);
        for (Path photo : photos) {
            XmpFiles.Outcome o = files.untag(photo);
            counts.merge(o.kind(), 1, Integer::sum);
            if (o.kind() != XmpFiles.Outcome.Kind.UNCHANGED && o.kind() != XmpFiles.Outcome.Kind.WRITTEN) {
                cli.out.println("  " + o.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ": \""
                        + o.file() + "\"" + (o.detail() == null || o.detail().isEmpty() ? "" : " (" + o.detail() + ")"));
            }
        }
        cli.out.printf(Locale.ROOT, "%d photos: clipd's keywords removed from %d, %d had none, %d read-only, "
                        + "%d refused, %d changed while clipd wrote (run untag again), %d failed%n", photos.size(),
                counts.getOrDefault(XmpFiles.Outcome.Kind.WRITTEN, 0)
                        + counts.getOrDefault(XmpFiles.Outcome.Kind.WOULD_WRITE, 0),
                counts.getOrDefault(XmpFiles.Outcome.Kind.UNCHANGED, 0),
                counts.getOrDefault(XmpFiles.Outcome.Kind.SKIPPED_READ_ONLY, 0),
                counts.getOrDefault(XmpFiles.Outcome.Kind.REFUSED, 0),
                counts.getOrDefault(XmpFiles.Outcome.Kind.CHANGED, 0),
                counts.getOrDefault(XmpFiles.Outcome.Kind.FAILED, 0));
        if (settings.tags().mode() != XmpFiles.Mode.OFF) {
            cli.out.println("note: tagging is on (tags=" + settings.tags().mode().name().toLowerCase(Locale.ROOT)
                    + "); clipd tags a photo again when it or the tag settings change. Set tags=off in "
                    + ConfigFile.defaultFile(cli.env) + " to stop.");
        }
        return counts.getOrDefault(XmpFiles.Outcome.Kind.FAILED, 0) > 0 ? Main.FAILED : Main.OK;
    }

    private static List<Path> indexedPhotos(Settings settings) throws Exception {
        List<Path> photos = new ArrayList<>();
        String model = ModelDescriptor.load(settings.modelDir()).name();
        try (PhotoStore store = PhotoStore.open(settings.storeFile(model))) {
            store.forEachRecord("", (path, record) -> photos.add(Path.of(path)));
        }
        return photos;
    }

    private static List<Path> photosUnder(List<String> names, Cli cli) throws IOException {
        List<Path> photos = new ArrayList<>();
        for (String name : names) {
            Path p = cli.resolve(name);
            if (Files.isDirectory(p)) {
                try (Stream<Path> files = Files.walk(p)) {
                    files.filter(Files::isRegularFile).filter(UntagCommand::isPhoto).sorted().forEach(photos::add);
                }
            } else if (Files.isRegularFile(p)) {
                photos.add(p);
            } else {
                throw new java.nio.file.NoSuchFileException(p.toString());
            }
        }
        return photos;
    }

    private static boolean isPhoto(Path file) {
        String name = file.getFileName().toString();
        return !name.startsWith(".") && ImageDecoder.supportedExtensions().contains(FolderScanner.extension(name));
    }
}

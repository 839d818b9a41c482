package clipd.cli;

import clipd.util.Json;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * {@code clipd embed PATH... | --text TEXT}: the normalised embeddings, so that the preprocessing and the
 * encoders can be compared number by number with another implementation of the same model.
 */
final class EmbedCommand {
    private EmbedCommand() {
    }

    static int run(List<String> words, Cli cli) throws Exception {
        Args args = Args.parse(words, Options.EMBED.spec());
        if (args.flag("--help")) {
            cli.out.print(Options.EMBED.help());
            return 0;
        }
        if (args.positional().isEmpty() == args.values("--text").isEmpty()) {
            throw new UsageException("give image paths, or --text TEXT (repeatable), not both");
        }
        try (Models m = Models.open(Settings.from(args, cli.env))) {
            List<String> names;
            float[][] vectors;
            if (args.values("--text").isEmpty()) {
                List<Path> paths = args.positional().stream().map(cli::resolve).toList();
                names = paths.stream().map(Path::toString).toList();
                vectors = new clipd.eval.Evaluation(m.model, m.decoder, m.preprocessor).embedImages(paths);
            } else {
                names = args.values("--text");
                vectors = m.model.embedTexts(names);
            }
            for (int i = 0; i < vectors.length; i++) {
                StringJoiner numbers = new StringJoiner(args.flag("--json") ? ", " : " ");
                for (float x : vectors[i]) {
                    numbers.add(Float.toString(x));
                }
                cli.out.println(args.flag("--json")
                        ? String.format(Locale.ROOT, "{\"input\": %s, \"model\": %s, \"dim\": %d, \"embedding\": [%s]}",
                        Json.quote(names.get(i)), Json.quote(m.model.descriptor().name()), vectors[i].length, numbers)
                        : numbers.toString());
            }
        }
        return 0;
    }
}

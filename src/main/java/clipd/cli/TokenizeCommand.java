package clipd.cli;

import clipd.embed.ClipModel;
import clipd.embed.ClipTokenizer;
import clipd.embed.ModelDescriptor;

import java.util.List;
import java.util.StringJoiner;

/** {@code clipd tokenize TEXT}: the token ids the text encoder sees, up to the end token (padding left out). */
final class TokenizeCommand {
    private TokenizeCommand() {
    }

    static int run(List<String> words, Cli cli) throws Exception {
        Args args = Args.parse(words, Options.TOKENIZE.spec());
        if (args.flag("--help")) {
            cli.out.print(Options.TOKENIZE.help());
            return 0;
        }
        if (args.positional().isEmpty()) {
            throw new UsageException("give the text to tokenize, e.g. clipd tokenize \"a photo of a cat\"");
        }
        ModelDescriptor descriptor = ModelDescriptor.load(Settings.from(args, cli.env).modelDir());
        ClipTokenizer tokenizer = new ClipModel(descriptor, 1).tokenizer(); // loads no encoder
        long[] ids = tokenizer.tokenize(String.join(" ", args.positional()), descriptor.contextLength());
        StringJoiner line = new StringJoiner(" ");
        for (long id : ids) {
            line.add(Long.toString(id));
            if (id == ClipTokenizer.END_OF_TEXT) {
                break;
            }
        }
        cli.out.println(line);
        return 0;
    }
}

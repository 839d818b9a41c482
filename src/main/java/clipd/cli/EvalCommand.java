package clipd.cli;

import clipd.eval.Evaluation;

import java.util.List;
import java.util.Locale;

/** {@code clipd eval classify DIR} and {@code clipd eval retrieval PAIRS.tsv}: how good the model is, as a table. */
final class EvalCommand {
    private EvalCommand() {
    }

    static int run(List<String> words, Cli cli) throws Exception {
        Args args = Args.parse(words, Options.EVAL.spec());
        List<String> rest = args.positional();
        if (args.flag("--help")) {
            cli.out.print(Options.EVAL.help());
            return 0;
        }
        if (rest.size() != 2 || !(rest.get(0).equals("classify") || rest.get(0).equals("retrieval"))) {
            throw new UsageException("say clipd eval classify DIR, or clipd eval retrieval PAIRS.tsv");
        }
        Settings settings = Settings.from(args, cli.env);
        try (Models m = Models.open(settings)) {
            Evaluation evaluation = new Evaluation(m.model, m.decoder, m.preprocessor);
            if (rest.get(0).equals("classify")) {
                List<Evaluation.Accuracy> rows = evaluation.classify(cli.resolve(rest.get(1)));
                cli.out.printf(Locale.ROOT, "zero-shot classification, %d photos in %d classes, model %s%n",
                        rows.get(0).images(), rows.get(0).classes(), m.model.descriptor().name());
                cli.out.println("prompts     top-1    top-5");
                for (Evaluation.Accuracy a : rows) {
                    cli.out.printf(Locale.ROOT, "%-9s  %6.2f%%  %6.2f%%%n", a.prompts().name().toLowerCase(Locale.ROOT),
                            100 * a.top1(), 100 * a.top5());
                }
            } else {
                Evaluation.Recall r = evaluation.retrieval(cli.resolve(rest.get(1)));
                cli.out.printf(Locale.ROOT, "text-to-image retrieval, %d pairs, model %s%n", r.pairs(),
                        m.model.descriptor().name());
                cli.out.printf(Locale.ROOT, "recall@1 %6.2f%%  recall@5 %6.2f%%  recall@10 %6.2f%%%n",
                        100 * r.at1(), 100 * r.at5(), 100 * r.at10());
            }
        }
        return 0;
    }
}

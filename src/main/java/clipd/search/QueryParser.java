package clipd.search;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * rclip's query language: {@code horse + stripes - zebra}; a term may carry a weight ({@code 2:golden retriever},
 * {@code 0.5:./cat.jpg}); a term that starts with {@code /}, {@code ./}, {@code ../}, {@code ~/} or {@code file://}
 * is an image file, anything else is text, unless it is a concept's name ({@link #conceptName}).
 */
public final class QueryParser {
    private static final Pattern WEIGHTED = Pattern.compile("^(\\d+(?:\\.\\d+)?|\\.\\d+|\\d+\\.):(.+)$", Pattern.DOTALL);
    /** Longer queries are cut by the tokenizer anyway; this only stops absurd input early. */
    public static final int MAX_TERM_LENGTH = 2_000;
    /** A lone '+' or '-': at the start or after spaces, and at the end or before spaces. */
    private static final Pattern OPERATOR = Pattern.compile("(?:^|\\s+)([+-])(?=\\s|$)");

    private QueryParser() {
    }

    /** Parses command-line style words; throws QueryException with a message for a person. */
    public static Query parse(List<String> words, Path workingDir) throws QueryException {
        List<Query.Term> terms = new ArrayList<>();
        float sign = 1;
        boolean expectTerm = true;
        for (String word : split(words, workingDir)) {
            if (word.equals("+") || word.equals("-")) {
                if (expectTerm) {
                    throw new QueryException("'" + word + "' must stand between two queries");
                }
                sign = word.equals("+") ? 1 : -1;
                expectTerm = true;
                continue;
            }
            if (!expectTerm) {
                throw new QueryException("put '+' or '-' between queries (before \"" + word + "\")");
            }
            terms.add(term(word, sign, workingDir));
            expectTerm = false;
        }
        if (terms.isEmpty()) {
            throw new QueryException("the query is empty");
        }
        if (expectTerm) {
            throw new QueryException("a query must follow the last '+' or '-'");
        }
        return new Query(List.copyOf(terms));
    }

    /**
     * A query typed as one line ({@code horse + stripes - zebra}, as in a search box or a URL): '+' and '-' with
     * spaces around them separate terms. Only text: a remote caller must not name files on this machine.
     */
    public static Query parseText(String line) throws QueryException {
        Query query = parse(List.of(line), Path.of("/"));
        if (query.hasImages()) {
            throw new QueryException("image files cannot be named in a text query; send the image itself");
        }
        return query;
    }

    /**
     * Words as the CLI gets them ({@code "cat +"} is one word) or a whole line, with every lone '+' and '-' made a
     * word of its own, so that the CLI and the API read a query alike. An image path stays whole: a file name may
     * hold " - ".
     */
    private static List<String> split(List<String> words, Path workingDir) {
        List<String> out = new ArrayList<>();
        for (String word : words) {
            if (imagePath(word.strip(), workingDir) != null) {
                out.add(word);
                continue;
            }
            Matcher m = OPERATOR.matcher(word);
            if (!m.find()) {
                out.add(word);
                continue;
            }
            int start = 0;
            for (boolean found = true; found; found = m.find()) {
                addNonBlank(out, word.substring(start, m.start()));
                out.add(m.group(1));
                start = m.end();
            }
            addNonBlank(out, word.substring(start));
        }
        return out;
    }

    private static void addNonBlank(List<String> words, String word) {
        if (!word.isBlank()) {
            words.add(word.strip());
        }
    }

    private static Query.Term term(String word, float sign, Path workingDir) throws QueryException {
        if (word.length() > MAX_TERM_LENGTH) {
            throw new QueryException("a query term is longer than " + MAX_TERM_LENGTH + " characters");
        }
        float weight = 1;
        String body = word;
        Matcher m = WEIGHTED.matcher(word);
        if (m.matches()) {
            weight = Float.parseFloat(m.group(1));
            body = m.group(2);
        }
        if (body.isBlank()) {
            throw new QueryException("a query term is empty");
        }
        Path image = imagePath(body, workingDir);
        return image != null ? new Query.Image(image, sign * weight) : new Query.Text(body, sign * weight);
    }

    /**
     * The concept name a text term would be: the term itself, or what stands between double quotes around it
     * ({@code "Rex"}). Whether a concept has that name decides (exact, case and all): a concept wins over the text.
     */
    public static String conceptName(String text) {
        return text.length() > 2 && text.startsWith("\"") && text.endsWith("\"")
                ? text.substring(1, text.length() - 1) : text;
    }

    private static Path imagePath(String s, Path workingDir) {
        if (s.startsWith("file://")) {
            return Path.of(s.substring("file://".length()));
        }
        if (s.startsWith("~/")) {
            return clipd.util.Home.of(System.getenv()).resolve(s.substring(2));
        }
        if (s.startsWith("/") || s.startsWith("./") || s.startsWith("../")) {
            return workingDir.resolve(s).normalize();
        }
        return null;
    }
}

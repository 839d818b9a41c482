package clipd.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed command line: options ({@code --top 5}, {@code --top=5}, {@code -t 5}), flags and positional words.
 * A lone "+" or "-", and any word that does not start like an option ("- cat", "-5"), is a positional word (the
 * query language uses them); "--" ends the options.
 */
final class Args {
    /** What a command accepts: option names to whether they take a value, and short aliases. */
    static final class Spec {
        private final Map<String, Boolean> takesValue = new HashMap<>();
        private final Map<String, String> aliases = new HashMap<>();

        Spec flag(String name, String... aliases) {
            return add(name, false, aliases);
        }

        Spec option(String name, String... aliases) {
            return add(name, true, aliases);
        }

        java.util.Set<String> names() {
            return takesValue.keySet();
        }

        private Spec add(String name, boolean value, String... names) {
            takesValue.put(name, value);
            for (String alias : names) {
                aliases.put(alias, name);
            }
            return this;
        }
    }

    private final Map<String, List<String>> values = new HashMap<>();
    private final Set<String> flags = new HashSet<>();
    private final List<String> positional = new ArrayList<>();

    static Args parse(List<String> words, Spec spec) throws UsageException {
        Args args = new Args();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.equals("--")) {
                args.positional.addAll(words.subList(i + 1, words.size()));
                break;
            }
            if (!w.matches("--?[A-Za-z].*") || w.matches("-[^-=]*\\s.*")) { // "-", "- cat": query words
                args.positional.add(w);
                continue;
            }
            String name = w;
            String value = null;
            int eq = w.indexOf('=');
            if (w.startsWith("--") && eq > 0) {
                name = w.substring(0, eq);
                value = w.substring(eq + 1);
            }
            name = spec.aliases.getOrDefault(name, name);
            Boolean needsValue = spec.takesValue.get(name);
            if (needsValue == null) {
                String guess = Suggestions.closest(name, spec.names());
                throw new UsageException("unknown option " + w + (guess == null ? "" : "; did you mean " + guess + "?"));
            }
            if (!needsValue) {
                if (value != null) {
                    throw new UsageException(name + " takes no value");
                }
                args.flags.add(name);
                continue;
            }
            if (value == null) {
                if (i + 1 >= words.size()) {
                    throw new UsageException(name + " needs a value");
                }
                value = words.get(++i);
            }
            args.values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return args;
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    String value(String name) {
        List<String> all = values.get(name);
        return all == null ? null : all.get(all.size() - 1);
    }

    List<String> values(String name) {
        return values.getOrDefault(name, List.of());
    }

    int intValue(String name, int defaultValue, int min, int max) throws UsageException {
        String v = value(name);
        return v == null ? defaultValue : parseInt(name, v, min, max);
    }

    /** A whole number within bounds; {@code what} names the flag or key in the error. */
    static int parseInt(String what, String raw, int min, int max) throws UsageException {
        try {
            int i = Integer.parseInt(raw.trim());
            if (i >= min && i <= max) {
                return i;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException(what + " must be a whole number from " + min + " to " + max + ", not '" + raw + "'");
    }

    List<String> positional() {
        return positional;
    }
}

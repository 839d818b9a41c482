package clipd.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's option lists and config keys are the tables clipd parses with and prints as --help. */
class OptionsReadmeTest {
    private static final String BEGIN = "<!-- options: generated from clipd.cli.Options; OptionsReadmeTest checks it -->";
    private static final String END = "<!-- end of options -->";

    /** The README section as the tables give it. */
    static String section() {
        StringBuilder b = new StringBuilder(BEGIN).append("\n\n");
        Set<Options.Group> groups = new LinkedHashSet<>();
        for (Options.Command c : Options.COMMANDS) {
            groups.addAll(c.groups());
            b.append("**`clipd ").append(c.name().equals("reindex") ? "reindex`, `clipd folders" : c.name())
                    .append("`**");
            if (!c.groups().isEmpty()) {
                b.append(" (and the options for ").append(c.groups().stream().map(Options.Group::title)
                        .collect(Collectors.joining(", "))).append(')');
            }
            b.append(c.options().isEmpty() ? ": no options of its own.\n" : ":\n").append(items(c.options()))
                    .append('\n');
        }
        for (Options.Group g : groups) {
            b.append("Options for **").append(g.title()).append("**:\n").append(items(g.options())).append('\n');
        }
        return b.append(END).toString();
    }

    private static String items(List<Options.Option> options) {
        return options.stream().map(o -> "- `" + o.usage() + "`: " + o.help() + "\n").collect(Collectors.joining());
    }

    private static String readme() throws Exception {
        return Files.readString(Path.of("README.md"));
    }

    @Test
    void theReadmeListsEachCommandsOptionsAsTheTableHasThem() throws Exception {
        String readme = readme();
        int from = readme.indexOf(BEGIN);
        int to = readme.indexOf(END);
        String expected = section();
        if (from < 0 || to < from || !readme.substring(from, to + END.length()).equals(expected)) {
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target/README-options.md"), expected + "\n");
        }
        assertTrue(from >= 0 && to > from, "README.md has no options section; target/README-options.md has it");
        assertEquals(expected, readme.substring(from, to + END.length()),
                "README.md's options differ from the tables; target/README-options.md has the section to paste");
    }

    @Test
    void helpListsEveryOptionTheCommandParses() {
        for (Options.Command c : Options.COMMANDS) {
            String help = c.help();
            for (Options.Option o : c.all()) {
                assertTrue(help.contains("  " + o.usage()) || o == Options.HELP, c.name() + " --help lacks " + o.name());
            }
        }
    }

    @Test
    void theReadmesConfigTableHasEveryKeyAndNoOther() throws Exception {
        String readme = readme();
        String table = readme.substring(readme.indexOf("| key | flag | environment | default |"));
        table = table.substring(0, table.indexOf("\n\n"));
        Set<String> keys = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\| `([a-z_]+)`(?:, `([a-z_]+)`)?").matcher(table);
        while (m.find()) {
            keys.add(m.group(1));
            if (m.group(2) != null) {
                keys.add(m.group(2));
            }
        }
        assertEquals(new TreeSet<>(ConfigFile.KEYS), keys);
    }

    @Test
    void theTablesHaveNoOptionTwice() {
        for (Options.Command c : Options.COMMANDS) {
            List<String> names = new ArrayList<>();
            c.all().forEach(o -> {
                names.add(o.name());
                names.addAll(o.aliases());
            });
            assertEquals(names.size(), new LinkedHashSet<>(names).size(), c.name() + ": " + names);
        }
    }
}

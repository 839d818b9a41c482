package clipd.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every command's options, once: parsing ({@link Command#spec()}), {@code --help} ({@link Command#help()}) and the
 * README's option lists (checked by a test) all come from these tables. Adding an option is one line in a table.
 */
final class Options {
    private Options() {
    }

    /** One option: its name, short aliases, the value it takes (null for a flag) and what it does. */
    record Option(String name, List<String> aliases, String value, String help) {
        String usage() {
            return Stream.concat(Stream.of(name), aliases.stream()).collect(Collectors.joining(", "))
                    + (value == null ? "" : " " + value);
        }
    }

    /** Options several commands share, listed under a heading of their own. */
    record Group(String title, List<Option> options) {
    }

    /** A command: its usage lines, what it does, its own options and the groups it understands too. */
    record Command(String name, String usage, String description, List<Option> options, List<Group> groups) {
        Args.Spec spec() {
            Args.Spec spec = new Args.Spec();
            all().forEach(o -> {
                String[] aliases = o.aliases().toArray(String[]::new);
                if (o.value() == null) {
                    spec.flag(o.name(), aliases);
                } else {
                    spec.option(o.name(), aliases);
                }
            });
            return spec;
        }

        List<Option> all() {
            List<Option> all = new ArrayList<>(options);
            groups.forEach(g -> all.addAll(g.options()));
            all.add(HELP);
            return all;
        }

        String help() {
            StringBuilder b = new StringBuilder(usage).append('\n').append(description).append('\n');
            if (!options.isEmpty()) {
                b.append("\noptions:\n").append(list(options));
            }
            for (Group g : groups) {
                b.append('\n').append(g.title()).append(":\n").append(list(g.options()));
            }
            return b.toString();
        }
    }

    private static final int NAME_COLUMN = 26;
    private static final int WIDTH = 116;

    /** Options as --help and the README print them: the name, then the help wrapped in a column of its own. */
    static String list(List<Option> options) {
        StringBuilder b = new StringBuilder();
        String indent = " ".repeat(2 + NAME_COLUMN + 2);
        for (Option o : options) {
            String head = "  " + o.usage();
            StringBuilder line = new StringBuilder(head.length() > NAME_COLUMN + 1
                    ? head + "\n" + indent : String.format("%-" + (NAME_COLUMN + 4) + "s", head));
            int lineStart = line.lastIndexOf("\n") + 1;
            for (String word : o.help().split(" ")) {
                if (line.length() - lineStart + word.length() + 1 > WIDTH && line.length() - lineStart > indent.length()) {
                    line.append('\n').append(indent);
                    lineStart = line.length() - indent.length();
                } else if (line.length() - lineStart > indent.length()) {
                    line.append(' ');
                }
                line.append(word);
            }
            b.append(line).append('\n');
        }
        return b.toString();
    }

    private static Option flag(String name, String help, String... aliases) {
        return new Option(name, List.of(aliases), null, help);
    }

    private static Option value(String name, String value, String help, String... aliases) {
        return new Option(name, List.of(aliases), value, help);
    }

    static final Option HELP = flag("--help", "print this help", "-h");

    static final Option CONFIG = value("--config", "FILE", "the settings file (env CLIPD_CONFIG; default "
            + "~/.config/clipd/config.properties, or $XDG_CONFIG_HOME/clipd/config.properties)");
    static final Option DATA_DIR = value("--data-dir", "DIR", "where the index lives (config data_dir, env "
            + "CLIPD_DATA_DIR; default ~/.local/share/clipd, macOS ~/Library/Application Support/clipd)");
    static final Option MODEL_DIR = value("--model-dir", "DIR", "the CLIP model (config model_dir, env "
            + "CLIPD_MODEL_DIR; default DATA_DIR/models/" + Settings.DEFAULT_MODEL + ")");
    static final Option LISTEN = value("--listen", "ADDRESS", "the address of clipd serve's HTTP API (config "
            + "listen; default 127.0.0.1: this machine only)");
    static final Option PORT = value("--port", "N", "its port (config port; default " + Settings.DEFAULT_PORT + ")");
    static final Option THREADS = value("--threads", "N", "decode workers and inference threads (config threads; "
            + "default: all cores)");
    static final Option BATCH_SIZE = value("--batch-size", "N", "images per inference batch (config batch_size; "
            + "default 8)", "-b");
    static final Option MAX_IMAGE_MEGAPIXELS = value("--max-image-megapixels", "N", "skip larger images, a guard "
            + "against decompression bombs (config max_image_megapixels; default " + Settings.DEFAULT_MAX_MEGAPIXELS
            + ")");
    static final Option EXECUTION_PROVIDER = value("--execution-provider", "auto|cpu|coreml|cuda", "where the "
            + "visual encoder runs (config execution_provider, env CLIPD_EXECUTION_PROVIDER; default auto: CoreML on "
            + "macOS, CUDA with the GPU build and a driver, else the CPU)");
    static final Option JSON = flag("--json", "print JSON");

    static final Group FILES = new Group("files", List.of(CONFIG, DATA_DIR, MODEL_DIR));

    static final Group DAEMON = new Group("the running clipd serve", List.of(LISTEN, PORT));

    static final Group MODEL = new Group("the model", List.of(THREADS, BATCH_SIZE, MAX_IMAGE_MEGAPIXELS,
            EXECUTION_PROVIDER));

    static final Group INDEXING = new Group("indexing", List.of(THREADS, BATCH_SIZE, MAX_IMAGE_MEGAPIXELS,
            EXECUTION_PROVIDER,
            value("--exclude-dir", "NAME", "a folder name to skip, repeatable; replaces the defaults (@eaDir, "
                    + "node_modules, .git, System Volume Information; config exclude_dirs)"),
            flag("--include-hidden", "also index hidden files and folders (names starting with '.'; config "
                    + "include_hidden)"),
            flag("--verbose", "list every skipped file"),
            value("--tags", "MODE", "where clipd writes the photos' tags: sidecar (photo.jpg.xmp next to the photo), "
                    + "embed (inside JPEGs, sidecars for the rest) or off (config tags, env CLIPD_TAGS; default "
                    + "sidecar)")));

    private static final List<Group> ALL_SETTINGS = List.of(FILES, INDEXING);

    static final Command INDEX = new Command("index", "usage: clipd index [OPTIONS] DIR...", """
            Indexes new and changed photos under the folders and forgets deleted ones. A photo whose content is
            already known (renamed, moved, copied, or only its metadata edited) is not embedded again. Then writes
            the photos' tags to XMP (see --tags).""", List.of(
            flag("--dry-run", "print which XMP files would get which tags; write none")), ALL_SETTINGS);

    static final Command SEARCH = new Command("search", "usage: clipd search [OPTIONS] QUERY [+|- QUERY]...", """
            Ranks indexed photos by similarity to the query. When clipd serve is running, asks it (it keeps the index
            current); otherwise, with --folder, updates that folder's index first (unless -n) and searches only under
            it; without, searches everything indexed. Without a query, lists the newest photos the filters let
            through.""", List.of(
            value("--folder", "DIR", "search under DIR, indexing it first"),
            flag("--no-indexing", "with --folder: do not update the index first", "-n"),
            value("--top", "N", "number of results (default 10, at most " + SearchCommand.MAX_TOP + ")", "-t"),
            flag("--all", "every result, however many"),
            flag("--filepath-only", "print only paths", "-f"),
            flag("--json", "print a JSON array of {score, path}"),
            value("--after", "DATE", "taken on or after DATE (2024, 2024-06 or 2024-06-30)"),
            value("--before", "DATE", "taken before DATE"),
            value("--camera", "TEXT", "the camera's make or model contains TEXT"),
            value("--near", "LAT,LON,KM", "taken within KM kilometres of a place"),
            value("--type", "TYPE", "the file type: " + String.join(", ", clipd.search.PhotoFilter.TYPES)
                    + " (jpg and tif too)"),
            flag("--has-gps", "only photos with a GPS position"),
            flag("--no-gps", "only photos without one")), List.of(DAEMON, FILES, INDEXING));

    static final Command SERVE = new Command("serve", "usage: clipd serve [OPTIONS] [--folder DIR]...", """
            Watches the folders (or the config file's 'folders'), brings their index up to date at start, follows
            every change as it happens and reconciles again every hour and whenever events were lost. Renamed and
            moved photos keep their embedding. Writes its state and counters to DATA_DIR/status.json. Stops cleanly
            on SIGTERM or Ctrl-C.""", List.of(
            value("--folder", "DIR", "a folder to watch, repeatable (replaces the config's folders)"),
            LISTEN, PORT,
            value("--settle-seconds", "N", "wait until a changed file has been still this long (config "
                    + "settle_seconds; default 2)"),
            value("--rescan-minutes", "N", "compare every folder with the disk this often (config rescan_minutes; "
                    + "default 60)"),
            value("--visual-idle-seconds", "N", "release the visual encoder after this long without an image to embed "
                    + "(config visual_idle_seconds; default 300; 0 keeps it)")), ALL_SETTINGS);


    static final Command STATUS = new Command("status", "usage: clipd status [OPTIONS]", """
            Asks the running clipd serve for its state. Exit code 0 when it is healthy, 1 when it reports an error,
            3 when it is not running (--json then prints {"state": "not_running", ...}).""",
            List.of(JSON), List.of(DAEMON, FILES));

    static final Command OPEN = new Command("open", "usage: clipd open [OPTIONS]", """
            Prints the address that signs this browser in to the running clipd serve's search page,
            http://127.0.0.1:PORT/#token=TOKEN, and opens it in the default browser when there is one (xdg-open,
            open). The page trades the token for a session cookie and drops it from the address bar. Exit code 3
            when clipd serve is not running.""",
            List.of(flag("--print", "only print the address"), CONFIG, DATA_DIR), List.of(DAEMON));

    static final Command CONTROL = new Command("reindex", """
            usage: clipd reindex [OPTIONS]
                   clipd folders add DIR | clipd folders remove DIR""", """
            Changes to a running clipd serve, authorised with the token it keeps in DATA_DIR/token. A removed
            folder's photos leave the index. Exit code 3 when clipd serve is not running.""",
            List.of(), List.of(DAEMON, FILES));

    static final Command TOKENIZE = new Command("tokenize", "usage: clipd tokenize [OPTIONS] TEXT...", """
            Prints the token ids the text encoder receives, from the start token to the end token.""",
            List.of(CONFIG, MODEL_DIR), List.of());

    static final Command EMBED = new Command("embed", """
            usage: clipd embed [OPTIONS] PATH...
                   clipd embed [OPTIONS] --text TEXT [--text TEXT]...""", """
            Prints each input's normalised embedding (one line of numbers, or a JSON object with --json), computed
            exactly as the index computes it, to compare number by number with another implementation.""", List.of(
            value("--text", "TEXT", "embed a text instead of images, repeatable"),
            flag("--json", "one JSON object per input: input, model, dim, embedding")), List.of(FILES, MODEL));

    static final Command EVAL = new Command("eval", """
            usage: clipd eval classify DIR
                   clipd eval retrieval PAIRS.tsv""", """
            classify: DIR holds one folder per class (its name is the class name, '_' for spaces); prints top-1 and
            top-5 zero-shot accuracy with the bare name, with "a photo of a {}." and with a prompt ensemble.
            retrieval: each row is image-path<TAB>caption (paths relative to the file); prints recall@1, @5, @10
            of finding each caption's image among all of them.""", List.of(), List.of(FILES, MODEL));

    static final Command BENCH = new Command("bench", """
            usage: clipd bench photos OUT [--count N] [--size WxH]
                   clipd bench index DIR [--threads N] [--batch-size N]
                   clipd bench search [--vectors N] [--runs N]
                   clipd bench idle [--files N] [--seconds N]
                   clipd bench duplicates [--vectors N] [--threshold T]""", """
            photos: writes N camera-like JPEGs with EXIF (default 100 of 4000x3000) to benchmark indexing with.
            index:  indexes a copy of DIR into a fresh store; prints images/s, decode and inference time per photo,
                    CPU use, peak RSS, the model's own rate on ready tensors, and the ratio of the two.
            search: fills a fresh store with N random embeddings (default 100,000); prints scan and /api/search
                    latency p50/p99 and the bytes per photo in the store and in memory.
            idle:   runs clipd serve on N small photos (default 100,000) until idle, then measures its CPU use
                    and RSS over N seconds (default 60).
            duplicates: groups N random embeddings (default 100,000; one in a hundred with a near copy) into
                    near-duplicates; prints the time for the whole library and for one more photo, the exact
                    comparisons made, and the copies found.
            Work happens in a temporary folder, deleted afterwards (--keep keeps it); your index is not touched.""",
            List.of(
                    value("--count", "N", "photos: how many (default 100)"),
                    value("--size", "WxH", "photos: their size (default 4000x3000)"),
                    value("--vectors", "N", "search: embeddings in the store (default 100,000)"),
                    value("--runs", "N", "search: queries measured (default 200)"),
                    value("--files", "N", "idle: photos watched (default 100,000)"),
                    value("--seconds", "N", "idle: how long to measure (default 60)"),
                    value("--visual-idle-seconds", "N", "idle: release the visual encoder after this long, and wait "
                            + "for it before measuring"),
                    value("--compare-rclip", "PATH", "index: also run rclip's loader step from this checkout, with "
                            + "/usr/bin/python3 and Pillow, and print both rates and their ratio"),
                    value("--rounds", "N", "index: rounds, interleaved with rclip's; medians are printed (default 1, "
                            + "3 with --compare-rclip)"),
                    value("--threshold", "T", "duplicates: the cosine that makes a pair (default 0.99)"),
                    flag("--keep", "keep the temporary folder")), List.of(FILES, MODEL));

    static final Command TAGS = new Command("tags", "usage: clipd tags [OPTIONS] PATH", """
            Lists the best candidate tags for the photo with their probability (softmax of 100 x cosine over the
            vocabulary) and cosine, marks the ones clipd writes, and shows the keywords its XMP holds now. Asks the
            running clipd serve, else computes it here (a photo that is not indexed is embedded for the purpose).""",
            List.of(value("--top", "N", "candidates listed (default 15)", "-t"), JSON),
            List.of(DAEMON, FILES, INDEXING));

    static final Command UNTAG = new Command("untag", """
            usage: clipd untag [OPTIONS] PATH...
                   clipd untag [OPTIONS] --all""", """
            Removes the keywords clipd wrote, and only those, from the photos' sidecars and embedded XMP (PATH may
            be photos or folders; --all means every indexed photo). A sidecar left empty is deleted. Set tags=off
            in the config first if clipd should not write them again.""", List.of(
            flag("--all", "every indexed photo"),
            flag("--dry-run", "print what would change; write nothing")), List.of(FILES));

    static final Command DUPLICATES = new Command("duplicates", "usage: clipd duplicates [OPTIONS]", """
            Groups indexed photos whose embeddings are near-identical (cosine at least T; default the model's
            duplicates.threshold): copies, re-encodes, resized or lightly edited versions, and with a lower T burst
            shots. Each group lists its photos with size, pixels and date, the suggested keeper first (the most
            pixels, then the largest file, then the earliest capture date, then the most metadata). clipd never
            deletes or moves a photo.""", List.of(
            value("--folder", "DIR", "only photos under DIR"),
            value("--threshold", "T", "the cosine that makes two photos duplicates (0 to 1, e.g. 0.95)"),
            flag("--json", "print {threshold, keep_rule, groups: [{kind, members: [...]}]}")), List.of(FILES, MODEL,
            DAEMON));

    static final Command CONCEPT = new Command("concept", """
            usage: clipd concept add NAME PHOTO... [--not PHOTO...] [--text TEXT] [--threshold T]
                   clipd concept remove NAME
                   clipd concept list [--json]""", """
            Teaches clipd a concept by example ("this is Rex") from the stored embeddings of indexed photos: their mean
            direction, with --text mixed in, and with counter-examples a logistic regression. Adding to an existing
            concept adds the examples. A concept's name is then a query term (clipd search Rex, "Rex + beach") and,
            with tags on, a keyword of every photo scoring above its threshold (computed from the examples: see the
            README). Asks the running clipd serve, which re-tags the library; otherwise changes the index here and
            re-tags here.""", List.of(
            value("--not", "PHOTO...", "add: counter-examples, every photo named after it (repeatable)"),
            value("--text", "TEXT", "add: a description mixed into the concept (e.g. \"a black labrador\"); "
                    + "embedded once"),
            value("--threshold", "T", "add: the cosine above which a photo belongs to the concept, set by hand "
                    + "(-1 to 1), or auto"),
            flag("--json", "print JSON")), List.of(FILES, DAEMON));

    static final Command SERVICE = new Command("service", """
            usage: clipd service install [DIR...]
                   clipd service uninstall
                   clipd service status""", """
            install: copies the jar to ~/.local/lib/clipd and a launcher to ~/.local/bin/clipd, writes a systemd user
            unit (Linux; ~/.config/systemd/user/clipd.service) or a LaunchAgent (macOS;
            ~/Library/LaunchAgents/dev.clipd.plist) that runs clipd serve with the Java running this command, then
            enables and starts it. DIR... become the config file's folders when it names none. Checks the settings
            and the model first: the service would only stop at once without them.
            uninstall: stops the service and removes what install made; your settings and index stay.
            status: the service manager's account of it (exit 0 running, 1 installed but not running, 3 not
            installed).""", List.of(), List.of());

    /** Every command, in the order of clipd --help. */
    static final List<Command> COMMANDS = List.of(INDEX, SEARCH, SERVE, STATUS, OPEN, CONTROL, TOKENIZE, EMBED, EVAL,
            BENCH, TAGS, UNTAG, DUPLICATES, CONCEPT, SERVICE);
}

package clipd.cli;

/** The help texts, kept together so they read as one manual. */
final class Help {
    private Help() {
    }

    private static final String COMMON = """
              --config FILE             settings file (env CLIPD_CONFIG; default ~/.config/clipd/config.properties)
              --data-dir DIR            where the index lives (env CLIPD_DATA_DIR; default ~/.local/share/clipd,
                                        macOS ~/Library/Application Support/clipd)
              --model-dir DIR           the CLIP model (env CLIPD_MODEL_DIR; default DATA_DIR/models/%s)
              --threads N               decode workers and inference threads (default: all cores)
              --batch-size, -b N        images per inference batch (default 8)
              --max-image-megapixels N  skip images larger than this, a guard against decompression bombs (default %d)
              --exclude-dir NAME        folder name to skip, repeatable; replaces the defaults
                                        (@eaDir, node_modules, .git, System Volume Information)
              --include-hidden          also index hidden files and folders (names starting with '.')
              --verbose                 list every skipped file
              --tags sidecar|embed|off  where clipd writes the photos' tags (config key tags; default sidecar:
                                        photo.jpg.xmp next to the photo; embed: inside JPEGs, sidecars for the
                                        rest; off: nowhere)
            """.formatted(Settings.DEFAULT_MODEL, Settings.DEFAULT_MAX_MEGAPIXELS);

    static final String MAIN = """
            clipd: search your photos by what is in them, with CLIP, on your own machine.

            usage:
              clipd index DIR...                    index or update the photos under the folders
              clipd search [--folder DIR] QUERY...  search the index (rclip's query language)
              clipd serve [--folder DIR]...         keep the index of the folders current (the daemon)
              clipd status                          the running daemon's state (exit 0 ok, 1 error, 3 not running)
              clipd reindex                         ask the running daemon to compare every folder with the disk
              clipd folders add|remove DIR          watch one more folder, or stop watching one, at run time
              clipd tokenize TEXT                   print CLIP token ids of a text
              clipd embed PATH... | --text TEXT     print normalised embeddings (--json), to compare with others
              clipd eval classify DIR               zero-shot accuracy on a folder of class folders
              clipd eval retrieval PAIRS.tsv        text-to-image recall@1/5/10 on image<TAB>caption rows
              clipd tags PATH                       the tags clipd chooses for a photo, and why
              clipd untag PATH... | --all           remove exactly the keywords clipd wrote
              clipd duplicates [--folder DIR]       groups of photos that look the same (copies, re-encodes, bursts)
              clipd bench photos|index|search|...  measure speed and memory on this machine
              clipd --version | --help | COMMAND --help

            queries: "a kitten peeking from behind a corner", "horse" + "stripes" - "zebra",
                     "2:golden retriever", "./cat.jpg" (an image; paths start with /, ./, ../, ~/ or file://)
            exit codes: 0 ok, 1 failure, 2 bad usage or missing model
            """;

    static final String INDEX = """
            usage: clipd index [OPTIONS] DIR...
            Indexes new and changed photos under the folders and forgets deleted ones. A photo whose content is
            already known (renamed, moved, copied, or only its metadata edited) is not embedded again. Then writes
            the photos' tags to XMP (see --tags).

            options:
              --dry-run                 print which XMP files would get which tags; write none
            """ + COMMON;

    static final String SEARCH = """
            usage: clipd search [OPTIONS] QUERY [+|- QUERY]...
            Ranks indexed photos by similarity to the query. When clipd serve is running, asks it (it keeps the index
            current); otherwise, with --folder, updates that folder's index first (unless -n) and searches only under
            it; without, searches everything indexed.

            options:
              --folder DIR              search under DIR, indexing it first
              --no-indexing, -n         with --folder: do not update the index first
              --top, -t N               number of results (default 10)
              --filepath-only, -f       print only paths
              --json                    print a JSON array of {score, path}
            """ + COMMON;

    static final String SERVE = """
            usage: clipd serve [OPTIONS] [--folder DIR]...
            Watches the folders (or the config file's 'folders'), brings their index up to date at start, follows
            every change as it happens and reconciles again every hour and whenever events were lost. Renamed and
            moved photos keep their embedding. Writes its state and counters to DATA_DIR/status.json. Stops cleanly
            on SIGTERM or Ctrl-C.

            options:
              --folder DIR              a folder to watch, repeatable (replaces the config's folders)
              --listen ADDRESS          where the HTTP API listens (default 127.0.0.1: this machine only)
              --port N                  its port (default 8357)
              --settle-seconds N        wait until a changed file has been still this long (default 2)
              --rescan-minutes N        compare every folder with the disk this often (default 60)
            """ + COMMON;

    static final String STATUS = """
            usage: clipd status [--json] [--port N]
            Asks the running clipd serve for its state. Exit code 0 when it is healthy, 1 when it reports an error,
            3 when it is not running.
            """;

    static final String CONTROL = """
            usage: clipd reindex
                   clipd folders add DIR | clipd folders remove DIR
            Changes to a running clipd serve, authorised with the token it keeps in DATA_DIR/token. A removed
            folder's photos leave the index. Exit code 3 when clipd serve is not running.
            """;

    static final String EMBED = """
            usage: clipd embed [--json] PATH...
                   clipd embed [--json] --text TEXT [--text TEXT]...
            Prints each input's normalised embedding (one line of numbers, or a JSON object with --json), computed
            exactly as the index computes it, to compare number by number with another implementation.
            """;

    static final String EVAL = """
            usage: clipd eval classify DIR
                   clipd eval retrieval PAIRS.tsv
            classify: DIR holds one folder per class (its name is the class name, '_' for spaces); prints top-1 and
            top-5 zero-shot accuracy with the bare name, with "a photo of a {}." and with a prompt ensemble.
            retrieval: each row is image-path<TAB>caption (paths relative to the file); prints recall@1, @5, @10
            of finding each caption's image among all of them.
            """;

    static final String BENCH = """
            usage: clipd bench photos OUT [--count N] [--size WxH]
                   clipd bench index DIR [--threads N] [--batch-size N]
                   clipd bench search [--vectors N] [--runs N]
                   clipd bench idle [--files N] [--seconds N]
                   clipd bench duplicates [--vectors N] [--threshold T]
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
            Work happens in a temporary folder, deleted afterwards (--keep keeps it); your index is not touched.
            """;

    static final String TAGS = """
            usage: clipd tags [--top N] [--json] PATH
            Lists the best candidate tags for the photo with their probability (softmax of 100 x cosine over the
            vocabulary) and cosine, marks the ones clipd writes, and shows the keywords its XMP holds now. Asks the
            running clipd serve, else computes it here (a photo that is not indexed is embedded for the purpose).
            """;

    static final String UNTAG = """
            usage: clipd untag [--dry-run] PATH...
                   clipd untag [--dry-run] --all
            Removes the keywords clipd wrote, and only those, from the photos' sidecars and embedded XMP (PATH may
            be photos or folders; --all means every indexed photo). A sidecar left empty is deleted. Set tags=off
            in the config first if clipd should not write them again.
            """;

    static final String DUPLICATES = """
            usage: clipd duplicates [--folder DIR] [--threshold T] [--json]
            Groups indexed photos whose embeddings are near-identical (cosine at least T; default the model's
            duplicates.threshold): copies, re-encodes, resized or lightly edited versions, and with a lower T
            burst shots. Each group lists its photos with size, pixels and date, the suggested keeper first (the
            most pixels, then the largest file, then the earliest capture date, then the most metadata). clipd never
            deletes or moves a photo.

            options:
              --folder DIR              only photos under DIR
              --threshold T             the cosine that makes two photos duplicates (0 to 1, e.g. 0.95)
              --json                    print {threshold, keep_rule, groups: [{kind, members: [...]}]}
            """ + COMMON;

    static final String TOKENIZE = """
            usage: clipd tokenize [--model-dir DIR] TEXT...
            Prints the token ids the text encoder receives, from the start token to the end token.
            """;
}

package clipd.cli;

/** The overview {@code clipd --help} prints; each command's help comes from its table in {@link Options}. */
final class Help {
    private Help() {
    }

    static final String MAIN = """
            clipd: search your photos by what is in them, with CLIP, on your own machine.

            usage:
              clipd index DIR...                    index or update the photos under the folders
              clipd search [--folder DIR] QUERY...  search the index (rclip's query language)
              clipd serve [--folder DIR]...         keep the index of the folders current (the daemon)
              clipd status                          the running daemon's state (exit 0 ok, 1 error, 3 not running)
              clipd open                            sign this browser in to the search page
              clipd open                            sign in to the search page of the running daemon
              clipd reindex                         ask the running daemon to compare every folder with the disk
              clipd folders add|remove DIR          watch one more folder, or stop watching one, at run time
              clipd tokenize TEXT                   print CLIP token ids of a text
              clipd embed PATH... | --text TEXT     print normalised embeddings (--json), to compare with others
              clipd eval classify DIR               zero-shot accuracy on a folder of class folders
              clipd eval retrieval PAIRS.tsv        text-to-image recall@1/5/10 on image<TAB>caption rows
              clipd tags PATH                       the tags clipd chooses for a photo, and why
              clipd untag PATH... | --all           remove exactly the keywords clipd wrote
              clipd duplicates [--folder DIR]       groups of photos that look the same (copies, re-encodes, bursts)
              clipd concept add|remove|list         teach clipd a concept by example photos ("this is Rex")
              clipd bench photos|index|search|idle  measure speed and memory on this machine
              clipd service install|uninstall|status  run clipd serve as your login's service (systemd, launchd)
              clipd --version | --help | COMMAND --help

            queries: "a kitten peeking from behind a corner", "horse" + "stripes" - "zebra",
                     "2:golden retriever", "./cat.jpg" (an image; paths start with /, ./, ../, ~/ or file://),
                     "Rex" + beach (a concept's exact name stands for the concept)
            exit codes: 0 ok, 1 failure, 2 bad usage, bad settings or missing model, 3 no daemon running (status,
                        reindex, folders)
            """;
}

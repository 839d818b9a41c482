package clipd.cli;

/** How the commands say a number of things. */
final class Words {
    private Words() {
    }

    /** "1 file", "2 files", "0 files". */
    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}

package clipd.cli;

/**
 * A stand-in main class for the launchers' tests: prints what the launcher started it with, and one line on stderr
 * as clipd's first message would be.
 */
public final class PrintArgs {
    static final String FIRST_ERROR_LINE = "clipd: the first line of stderr";

    private PrintArgs() {
    }

    public static void main(String[] args) {
        System.err.println(FIRST_ERROR_LINE);
        System.out.println("home=" + System.getProperty("clipd.home") + " vector="
                + ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() + " args=" + String.join(" ", args)
                + " java_opts=" + String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean()
                .getInputArguments().stream().filter(a -> a.startsWith("-XX:")).toList()));
    }
}

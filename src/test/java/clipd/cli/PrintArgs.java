package clipd.cli;

/** A stand-in main class for the installed launcher's test: prints what the launcher started it with. */
public final class PrintArgs {
    private PrintArgs() {
    }

    public static void main(String[] args) {
        System.out.println("home=" + System.getProperty("clipd.home") + " vector="
                + ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() + " args=" + String.join(" ", args));
    }
}

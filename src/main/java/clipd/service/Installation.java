package clipd.service;

import java.nio.file.Path;

/**
 * Where an installed clipd lives for one user: the jar and a copy of {@code models/fetch} in {@code lib}
 * (~/.local/lib/clipd), the launcher on the PATH (~/.local/bin/clipd), and the Java they run with, named by its
 * absolute path so that the service does not depend on the service manager's PATH.
 */
public record Installation(Path home, Path java, Path lib, Path launcher) {
    public static Installation forUser(Path home, Path javaHome) {
        return new Installation(home, javaHome.resolve("bin").resolve("java"),
                home.resolve(".local/lib/clipd"), home.resolve(".local/bin/clipd"));
    }

    public Path jar() {
        return lib.resolve("clipd.jar");
    }

    /** The model fetcher beside the jar, which clipd's "model missing" message names. */
    public Path fetchScript() {
        return lib.resolve("models").resolve("fetch");
    }
}

package clipd.util;

import java.nio.file.Path;
import java.util.Map;

/**
 * The user's home directory as the shell sees it: $HOME, else Java's user.home. models/fetch and every shell
 * expand ~ from $HOME, so clipd does too, and both look for the model in the same place.
 */
public final class Home {
    private Home() {
    }

    public static Path of(Map<String, String> env) {
        String home = env.get("HOME");
        return home != null && !home.isBlank() && Path.of(home).isAbsolute() ? Path.of(home)
                : Path.of(System.getProperty("user.home"));
    }

    /** ~ and ~/... from the home directory; anything else as it is. */
    public static String expand(String path, Map<String, String> env) {
        return path.equals("~") || path.startsWith("~/") ? of(env) + path.substring(1) : path;
    }
}

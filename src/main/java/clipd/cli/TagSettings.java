package clipd.cli;

import clipd.tags.TagPolicy;
import clipd.tags.XmpFiles;

import java.nio.file.Path;
import java.util.Locale;

/** How clipd tags photos: where the keywords go, which tags qualify, from which vocabulary. */
record TagSettings(XmpFiles.Mode mode, boolean basenameSidecar, TagPolicy policy, Path vocabulary,
                   Path vocabularyExtra, boolean dryRun) {

    static XmpFiles.Mode mode(String value, String where) throws UsageException {
        try {
            return XmpFiles.Mode.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException(where + " is '" + value + "'; say sidecar, embed or off");
        }
    }

    static boolean basenameSidecar(String value, String where) throws UsageException {
        return switch (value) {
            case "photo.jpg.xmp" -> false;
            case "photo.xmp" -> true;
            default -> throw new UsageException(where + " is '" + value + "'; say photo.jpg.xmp or photo.xmp");
        };
    }

    XmpFiles files() {
        return new XmpFiles(mode, basenameSidecar, dryRun);
    }
}

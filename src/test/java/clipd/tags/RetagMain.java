package clipd.tags;

import java.nio.file.Path;
import java.util.List;

/** Retags one photo and prints the outcome: run by tests in a process of another uid (MODE PHOTO TAG). */
public final class RetagMain {
    private RetagMain() {
    }

    public static void main(String[] args) {
        XmpFiles.Outcome o = new XmpFiles(XmpFiles.Mode.valueOf(args[0]), false, false)
                .retag(Path.of(args[1]), List.of(args[2]));
        System.out.println(o.kind() + " " + o.refusal() + " " + o.detail());
    }
}

package clipd.tags;

import java.io.IOException;

/**
 * A file clipd will not write because it cannot guarantee that nothing but its own fields would change; the message
 * says why in words a person understands, and is the reason refusals are counted under.
 */
final class RefusedException extends IOException {
    RefusedException(String reason) {
        super(reason);
    }
}

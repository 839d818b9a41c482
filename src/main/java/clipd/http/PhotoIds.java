package clipd.http;

import clipd.search.VectorIndex;
import io.javalin.http.Context;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Photos in URLs are named by an id, never by their path, and the id cannot be worked out from a path without this
 * install's secret: it is the index's own key of the photo (8 bytes of the path's SHA-256) and 8 zero bytes,
 * encrypted as one AES block under a key derived from the access token. So a page on another site cannot test
 * whether a guessed path is indexed, ids need no table of their own, and a forged id is refused (its zero half
 * does not decrypt to zeros) without a lookup. A new token gives every photo a new id.
 */
public final class PhotoIds {
    private static final HexFormat HEX = HexFormat.of();
    private final SecretKeySpec key;
    private final VectorIndex index;

    /** Ids for the clipd command, which has the token but no index. */
    public PhotoIds(AccessToken token) {
        this(token, null);
    }

    PhotoIds(AccessToken token, VectorIndex index) {
        this.key = new SecretKeySpec(Arrays.copyOf(HEX.parseHex(token.mac("photo ids", "")), 16), "AES");
        this.index = index;
    }

    public String idOf(String path) {
        byte[] block = Arrays.copyOf(HEX.parseHex(VectorIndex.idOf(path)), 16);
        return HEX.formatHex(aes(Cipher.ENCRYPT_MODE, block));
    }

    /** The indexed path of the {@code {id}} in the request's path. */
    String pathOf(Context ctx) {
        return pathOf(ctx.pathParam("id"));
    }

    /** The indexed path of a photo id; a 404 answer when no indexed photo has it. */
    String pathOf(String id) {
        String path = null;
        if (id.matches("[0-9a-f]{32}")) {
            byte[] block = aes(Cipher.DECRYPT_MODE, HEX.parseHex(id));
            if (Arrays.equals(block, 8, 16, new byte[8], 0, 8)) {
                path = index.pathOf(HEX.formatHex(block, 0, 8));
            }
        }
        if (path == null) {
            throw new ApiError(404, "not_found", "no indexed photo has that id");
        }
        return path;
    }

    private byte[] aes(int mode, byte[] block) {
        try {
            Cipher cipher = Cipher.getInstance("AES/ECB/NoPadding"); // one block: a keyed permutation, as meant
            cipher.init(mode, key);
            return cipher.doFinal(block);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has AES", e);
        }
    }

    static String thumbnail(String id) {
        return "/api/photos/" + id + "/thumbnail";
    }

    static String file(String id) {
        return "/api/photos/" + id + "/file";
    }
}

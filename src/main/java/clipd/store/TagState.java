package clipd.store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What clipd last did about a photo's tags: for which content ({@code hash}) and which tag settings
 * ({@code settings}, a fingerprint of model, vocabulary, thresholds and mode) it chose {@code tags}, and the XMP
 * file it left them in with that file's size and time, by which the watcher recognises clipd's own write.
 * {@code xmpFile} is null when nothing was written (mode off, or the write was skipped).
 */
public record TagState(String hash, String settings, List<String> tags, String xmpFile, long xmpSize,
                       long xmpModifiedMillis) {
    private static final int FORMAT = 1;

    public TagState {
        tags = List.copyOf(tags);
    }

    /** Whether this state was reached for the same content and the same settings. */
    public boolean current(String hash, String settings) {
        return this.hash.equals(hash) && this.settings.equals(settings);
    }

    byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeUTF(hash);
            out.writeUTF(settings);
            out.writeShort(tags.size());
            for (String t : tags) {
                out.writeUTF(t);
            }
            out.writeBoolean(xmpFile != null);
            if (xmpFile != null) {
                out.writeUTF(xmpFile);
            }
            out.writeLong(xmpSize);
            out.writeLong(xmpModifiedMillis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static TagState fromBytes(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IllegalStateException("tag state format " + format + " is not known");
            }
            String hash = in.readUTF();
            String settings = in.readUTF();
            int n = in.readUnsignedShort();
            List<String> tags = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                tags.add(in.readUTF());
            }
            String file = in.readBoolean() ? in.readUTF() : null;
            return new TagState(hash, settings, tags, file, in.readLong(), in.readLong());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

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
                       long xmpModifiedMillis, List<String> conceptTags) {
    private static final int FORMAT = 2;

    /** {@code conceptTags}: which of {@code tags} are there only for a concept, to be re-decided when concepts change. */
    public TagState {
        tags = List.copyOf(tags);
        conceptTags = List.copyOf(conceptTags);
    }

    public TagState(String hash, String settings, List<String> tags, String xmpFile, long xmpSize,
                    long xmpModifiedMillis) {
        this(hash, settings, tags, xmpFile, xmpSize, xmpModifiedMillis, List.of());
    }

    byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeUTF(hash);
            out.writeUTF(settings);
            writeList(out, tags);
            out.writeBoolean(xmpFile != null);
            if (xmpFile != null) {
                out.writeUTF(xmpFile);
            }
            out.writeLong(xmpSize);
            out.writeLong(xmpModifiedMillis);
            writeList(out, conceptTags);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static TagState fromBytes(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT && format != 1) {
                throw new IllegalStateException("tag state format " + format + " is not known");
            }
            String hash = in.readUTF();
            String settings = in.readUTF();
            List<String> tags = readList(in);
            String file = in.readBoolean() ? in.readUTF() : null;
            long size = in.readLong();
            long modified = in.readLong();
            return new TagState(hash, settings, tags, file, size, modified, format == 1 ? List.of() : readList(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeList(DataOutputStream out, List<String> list) throws IOException {
        out.writeShort(list.size());
        for (String t : list) {
            out.writeUTF(t);
        }
    }

    private static List<String> readList(DataInputStream in) throws IOException {
        int n = in.readUnsignedShort();
        List<String> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(in.readUTF());
        }
        return list;
    }
}

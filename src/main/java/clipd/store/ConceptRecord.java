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
 * A concept taught by example, as kept in the store: its examples (by content hash, with the path each was given
 * by), the optional description and its text embedding (kept, so that a change never needs the text encoder again),
 * the unit vector photos are scored against, and the cosine above which a photo belongs to it, with where that
 * number came from ({@code manual} when a person set it).
 */
public record ConceptRecord(String name, List<Example> positives, List<Example> negatives, String text,
                            float[] textVector, float[] vector, float threshold, boolean manual,
                            String thresholdSource) {
    private static final int FORMAT = 1;

    /** One example photo: its content (the identity that outlives renames) and the path it was named by. */
    public record Example(String hash, String path) {
    }

    public ConceptRecord {
        positives = List.copyOf(positives);
        negatives = List.copyOf(negatives);
    }

    byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + 4 * vector.length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeUTF(name);
            writeExamples(out, positives);
            writeExamples(out, negatives);
            out.writeBoolean(text != null);
            if (text != null) {
                out.writeUTF(text);
                writeFloats(out, textVector);
            }
            writeFloats(out, vector);
            out.writeFloat(threshold);
            out.writeBoolean(manual);
            out.writeUTF(thresholdSource);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static ConceptRecord fromBytes(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IllegalStateException("concept format " + format + " is not known");
            }
            String name = in.readUTF();
            List<Example> positives = readExamples(in);
            List<Example> negatives = readExamples(in);
            String text = null;
            float[] textVector = null;
            if (in.readBoolean()) {
                text = in.readUTF();
                textVector = readFloats(in);
            }
            return new ConceptRecord(name, positives, negatives, text, textVector, readFloats(in), in.readFloat(),
                    in.readBoolean(), in.readUTF());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeExamples(DataOutputStream out, List<Example> examples) throws IOException {
        out.writeShort(examples.size());
        for (Example e : examples) {
            out.writeUTF(e.hash());
            out.writeUTF(e.path());
        }
    }

    private static List<Example> readExamples(DataInputStream in) throws IOException {
        int n = in.readUnsignedShort();
        List<Example> examples = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            examples.add(new Example(in.readUTF(), in.readUTF()));
        }
        return examples;
    }

    private static void writeFloats(DataOutputStream out, float[] v) throws IOException {
        out.writeShort(v.length);
        for (float x : v) {
            out.writeFloat(x);
        }
    }

    private static float[] readFloats(DataInputStream in) throws IOException {
        float[] v = new float[in.readUnsignedShort()];
        for (int i = 0; i < v.length; i++) {
            v[i] = in.readFloat();
        }
        return v;
    }
}

package clipd.tags;

import clipd.embed.Vectors;
import clipd.store.ConceptRecord;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The concepts as keywords: a photo whose stored embedding scores above a concept's threshold gets the concept's
 * name as a tag (so {@code clipd|Rex} in the hierarchical fields). The fingerprint changes with any concept's name,
 * vector or threshold, so that a photo's tag state tells whether its concept keywords must be decided again.
 */
final class ConceptTags {
    /** Where the concepts' part of a tag state's settings starts. */
    static final String MARK = " concepts=";

    private final List<ConceptRecord> concepts;
    private final String fingerprint;

    private ConceptTags(List<ConceptRecord> concepts) {
        this.concepts = List.copyOf(concepts);
        this.fingerprint = concepts.isEmpty() ? "" : MARK + crc(concepts);
    }

    static ConceptTags of(List<ConceptRecord> concepts) {
        return new ConceptTags(concepts);
    }

    /** Empty without concepts, so that the states written before any concept existed stay current. */
    String fingerprint() {
        return fingerprint;
    }

    /** The settings a state was written for, without their concepts' part. */
    static String withoutConcepts(String settings) {
        int at = settings.indexOf(MARK);
        return at < 0 ? settings : settings.substring(0, at);
    }

    /** The names of the concepts this embedding belongs to, in name order. */
    List<String> matching(float[] vector) {
        List<String> names = new ArrayList<>();
        for (ConceptRecord c : concepts) {
            if (c.vector().length == vector.length && Vectors.dot(c.vector(), vector) > c.threshold()) {
                names.add(c.name());
            }
        }
        return names;
    }

    private static String crc(List<ConceptRecord> concepts) {
        CRC32C crc = new CRC32C();
        for (ConceptRecord c : concepts) {
            crc.update(c.name().getBytes(StandardCharsets.UTF_8));
            ByteBuffer b = ByteBuffer.allocate(4 * c.vector().length + 5);
            b.put((byte) 0).putFloat(c.threshold());
            for (float x : c.vector()) {
                b.putFloat(x);
            }
            crc.update(b.array());
        }
        return Long.toHexString(crc.getValue());
    }
}

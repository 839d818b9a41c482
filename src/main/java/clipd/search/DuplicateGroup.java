package clipd.search;

import clipd.identify.PhotoFacts;
import clipd.store.PhotoRecord;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Photos that look the same, with the facts a person decides by and the one clipd suggests keeping. clipd never
 * deletes or moves any of them.
 *
 * @param kind    {@code EXACT} when every member has the same content (copies), else {@code NEAR}
 * @param members the photos, the suggested keeper first
 */
public record DuplicateGroup(Kind kind, List<Member> members) {
    public enum Kind { EXACT, NEAR }

    /** How the keeper is chosen, in words, for the CLI, the API and the README. */
    public static final String KEEP_RULE = "the most pixels, then the largest file, then the earliest capture date,"
            + " then the most metadata, then the shortest path";

    /**
     * @param similarity the cosine with the keeper (1 for the keeper itself)
     * @param metadata   how many of date, camera, lens and place the photo carries
     */
    public record Member(String path, String hash, long bytes, PhotoFacts facts, int metadata, float similarity) {
        public int width() {
            return facts == null ? 0 : facts.width();
        }

        public int height() {
            return facts == null ? 0 : facts.height();
        }

        public Long takenWallMillis() {
            return facts == null ? null : facts.takenWallMillis();
        }

        /** {@link PhotoFacts#takenIso()}, null when unknown. */
        public String taken() {
            return facts == null ? null : facts.takenIso();
        }

        public String camera() {
            return facts == null ? null : facts.camera();
        }
    }

    private static final Comparator<Member> KEEP_FIRST = Comparator
            .comparingLong((Member m) -> -(long) m.width() * m.height())
            .thenComparingLong(m -> -m.bytes)
            .thenComparingLong(m -> m.takenWallMillis() == null ? Long.MAX_VALUE : m.takenWallMillis())
            .thenComparingInt(m -> -m.metadata)
            .thenComparingInt(m -> m.path.length())
            .thenComparing(Member::path);

    /** Describes groups of paths: records by path (null for a photo no longer indexed, which is left out). */
    public static List<DuplicateGroup> describe(List<List<String>> groups, Function<String, PhotoRecord> records,
                                                Function<String, float[]> vectors) {
        List<DuplicateGroup> out = new ArrayList<>();
        for (List<String> paths : groups) {
            List<Member> members = new ArrayList<>();
            for (String path : paths) {
                PhotoRecord r = records.apply(path);
                if (r != null) {
                    members.add(member(path, r));
                }
            }
            if (members.size() < 2) {
                continue;
            }
            members.sort(KEEP_FIRST);
            float[] keeper = vectors.apply(members.get(0).path);
            List<Member> scored = new ArrayList<>(members.size());
            for (Member m : members) {
                float[] v = vectors.apply(m.path);
                float cos = keeper == null || v == null ? Float.NaN : Math.min(1f, VectorIndex.exactDot(keeper, v));
                scored.add(new Member(m.path, m.hash, m.bytes, m.facts, m.metadata, cos));
            }
            boolean copies = scored.stream().map(Member::hash).distinct().count() == 1;
            out.add(new DuplicateGroup(copies ? Kind.EXACT : Kind.NEAR, List.copyOf(scored)));
        }
        return out;
    }

    private static Member member(String path, PhotoRecord r) {
        PhotoFacts f = r.facts();
        int metadata = f == null ? 0 : (int) Stream.of(f.takenWallMillis(), f.camera(), f.lens(),
                f.hasGps() ? f.latitude() : null).filter(java.util.Objects::nonNull).count();
        return new Member(path, r.hash(), r.size(), f, metadata, 1f);
    }
}

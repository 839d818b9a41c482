package clipd.store;

import clipd.identify.PhotoFacts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real store of 200 photos, damaged one 4 KB block at a time (zeroed, overwritten by the block before it, so that
 * links point where they should not, or cut off there): every case either opens with every photo intact, or says
 * what it lost in one line and holds only sound records. Never "unchanged" with photos missing, never a hang.
 */
class StoreDamageTest {
    private static final int PHOTOS = 200;
    private static final int DIM = 64;
    private static final int BLOCK = 4096;
    /**
     * Blocks damaged per kind of damage, for CI; all 512 blocks × 3 kinds (1,535 cases) and all 104 used ones × 3
     * (311 cases) passed, in 14 and 10 minutes.
     */
    private static final int SAMPLED = 14;

    @TempDir
    Path dir;

    private enum Damage { ZERO, COPY_PREVIOUS, TRUNCATE }

    @Test
    void everyDamagedBlockIsRepairedOrReportedInOneLine() throws Exception {
        long opening = PhotoStore.openMillis;
        PhotoStore.openMillis = 5_000; // a store that loops is given up after this (60 s in use)
        try {
            damageEveryBlock();
        } finally {
            PhotoStore.openMillis = opening;
        }
    }

    private void damageEveryBlock() throws Exception {
        Path pristine = dir.resolve("pristine/index.db");
        Map<String, float[]> vectors = build(pristine);
        long size = Files.size(pristine);
        List<Integer> used = sample(usedBlocks(pristine)); // MapDB grows the file in 1 MB steps: the rest is zeros
        Map<String, Integer> outcomes = new TreeMap<>();
        int cases = 0;
        long slowest = 0;
        for (Damage damage : Damage.values()) {
            for (int block : used) {
                if (block == 0 && damage == Damage.COPY_PREVIOUS) {
                    continue;
                }
                Path file = dir.resolve(damage + "-" + block + "/index.db");
                Files.createDirectories(file.getParent());
                Files.copy(pristine, file);
                damage(file, damage, block);
                String what = damage + " block " + block;
                long start = System.nanoTime();
                String outcome = assertTimeoutPreemptively(Duration.ofSeconds(150), () -> check(file, vectors, what),
                        what);
                slowest = Math.max(slowest, System.nanoTime() - start);
                outcomes.merge(damage.name().toLowerCase() + ": " + outcome, 1, Integer::sum);
                cases++;
                try (Stream<Path> left = Files.list(file.getParent())) {
                    assertTrue(left.filter(p -> p.getFileName().toString().contains(".moved-")).count() <= 2,
                            "one old copy at most (its file and its log)");
                }
            }
        }
        System.out.printf("store damage: %d photos, %d bytes, %d blocks of 4 KB damaged, %d cases (slowest %d ms): "
                + "%s%n", PHOTOS, size, used.size(), cases, slowest / 1_000_000, outcomes);
        assertEquals(3 * used.size() - 1, cases);
    }

    /** The first blocks (headers, tree roots) and then every n-th, for a test that runs in about a minute. */
    private static List<Integer> sample(List<Integer> used) {
        System.out.printf("store damage: %d of the store's 4 KB blocks hold data%n", used.size());
        assertTrue(used.size() >= SAMPLED, used.size() + " blocks");
        List<Integer> some = new ArrayList<>(used.subList(0, Math.min(8, used.size())));
        int step = Math.max(1, (used.size() - some.size()) / (SAMPLED - some.size()));
        for (int i = some.size(); i < used.size() && some.size() < SAMPLED; i += step) {
            some.add(used.get(i));
        }
        return some;
    }

    private static List<Integer> usedBlocks(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        List<Integer> used = new ArrayList<>();
        for (int block = 0; block * BLOCK < bytes.length; block++) {
            for (int i = block * BLOCK; i < Math.min(bytes.length, (block + 1) * BLOCK); i++) {
                if (bytes[i] != 0) {
                    used.add(block);
                    break;
                }
            }
        }
        return used;
    }

    /** Opens the damaged store, uses it as a reconcile would, and says what became of it. */
    private String check(Path file, Map<String, float[]> originals, String what) throws Exception {
        String reported = null;
        int reembed = 0;
        for (int attempt = 0; ; attempt++) {
            try (PhotoStore store = PhotoStore.open(file)) {
                if (store.repair() != null) {
                    reported = store.repair();
                }
                reembed += store.removeRecordsWithBadVectors(DIM);
                List<String> paths = new ArrayList<>();
                store.forEachRecord("", (path, record) -> {
                    assertTrue(StoreCheck.unitVector(store.vector(record.hash()), DIM), path);
                    paths.add(path);
                });
                assertEquals(paths.size(), store.recordCount(), what + ": the count says what is there");
                long intact = paths.stream().filter(p -> java.util.Arrays.equals(originals.get(p),
                        store.vector(store.record(p).orElseThrow().hash()))).count();
                assertEquals(paths.size(), intact, what + ": what is kept is what was stored");
                store.putRecord("/photos/new.jpg", record("new"));
                store.putVector("new", unit(new Random(7)));
                store.commit();
                if (reported == null && reembed == 0) {
                    assertEquals(PHOTOS, paths.size(), what + ": no report, so nothing may be missing");
                    return "unchanged";
                }
                assertTrue(reported == null || !reported.contains("\n") && !reported.contains("checksumHeaderBypass"),
                        reported);
                return reported != null ? "rebuilt" + (attempt > 0 ? " in use" : " on open") : "re-embedded";
            } catch (StoreDamagedException e) {
                assertTrue(!e.getMessage().contains("\n"), e.getMessage());
                reported = e.getMessage();
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private static void damage(Path file, Damage damage, int block) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            switch (damage) {
                case ZERO -> {
                    f.seek((long) block * BLOCK);
                    f.write(new byte[(int) Math.min(BLOCK, f.length() - (long) block * BLOCK)]);
                }
                case COPY_PREVIOUS -> {
                    byte[] previous = new byte[BLOCK];
                    f.seek((long) (block - 1) * BLOCK);
                    f.readFully(previous);
                    f.seek((long) block * BLOCK);
                    f.write(previous, 0, (int) Math.min(BLOCK, f.length() - (long) block * BLOCK));
                }
                case TRUNCATE -> f.setLength((long) block * BLOCK);
            }
        }
    }

    private static Map<String, float[]> build(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Random random = new Random(13);
        Map<String, float[]> vectors = new TreeMap<>();
        try (PhotoStore store = PhotoStore.open(file)) {
            for (int i = 0; i < PHOTOS; i++) {
                String path = "/photos/album " + (i % 7) + "/IMG_" + (1000 + i) + ".jpg";
                float[] v = unit(random);
                store.putVector("hash" + i, v);
                store.putRecord(path, record("hash" + i));
                vectors.put(path, v);
            }
            store.commit();
        }
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "a closed store is one file");
        }
        return vectors;
    }

    private static PhotoRecord record(String hash) {
        return new PhotoRecord(hash, 123_456, 1_700_000_000_000L, new PhotoFacts(1_700_000_000_000L, 60,
                "exif:DateTimeOriginal", 48.8, 2.3, "Canon", "Canon EOS R5", "RF24-105mm", 1, 6000, 4000, "jpeg"));
    }

    private static float[] unit(Random random) {
        float[] v = new float[DIM];
        double sum = 0;
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) random.nextGaussian();
            sum += v[i] * v[i];
        }
        for (int i = 0; i < DIM; i++) {
            v[i] /= (float) Math.sqrt(sum);
        }
        return v;
    }
}

package clipd.reliability;

import clipd.daemon.Daemon;
import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.image.ImageDecoder;
import clipd.index.FolderScanner;
import clipd.index.Indexer;
import clipd.store.PhotoStore;
import clipd.tags.PhotoTagger;
import clipd.tags.TagPolicy;
import clipd.tags.TagVocabulary;
import clipd.tags.XmpFiles;
import clipd.tags.XmpKeywords;
import clipd.testing.Await;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random creates, renames, folder moves and deletes while the daemon runs with tags on, then a check that the index
 * is exactly the photos on disk, every photo carries its tags, no sidecar is left without its photo, and nothing
 * went into error. 30 s by default (as CI runs it); {@code -Dclipd.soak.seconds=3600} for the hour-long soak, and
 * {@code -Dclipd.soak.seed=N} to repeat a run (the seed is in the failure message).
 */
class SoakTest {
    private static final List<String> SOURCES = List.of("bee.jpg", "cat.jpg", "cake.jpg", "books.jpg",
            "boats on a lake.png", "camera.jpg", "black kitty.jpeg", "chess-knight.tiff");

    @TempDir
    Path tmp;

    @Test
    void theIndexEndsExactlyAsTheDisk() throws Exception {
        long seconds = Long.getLong("clipd.soak.seconds", 30);
        long seed = Long.getLong("clipd.soak.seed", System.nanoTime());
        Random random = new Random(seed);
        Path library = Files.createDirectories(tmp.resolve("photos"));
        Path vocabulary = Files.writeString(tmp.resolve("vocabulary.txt"), "cat\nbee\ncake\nbooks\nboat\ncamera\n");
        try (ClipModel model = new ClipModel(ModelDescriptor.load(Fixtures.TINY_MODEL), 2);
             PhotoStore store = PhotoStore.open(tmp.resolve("data/index.db"))) {
            PhotoTagger tagger = new PhotoTagger(store, model, TagVocabulary.load(vocabulary, null),
                    new TagPolicy(0, 2), new XmpFiles(XmpFiles.Mode.SIDECAR, false, false));
            Indexer indexer = Fixtures.tinyIndexer(store, model, 2, 4);
            indexer.listen(tagger); // as clipd serve does: clipd's sidecars follow their photos
            Daemon daemon = new Daemon(indexer, tagger, store, List.of(library),
                    new Daemon.Pacing(300, 3_600_000), tmp.resolve("data/status.json"), Map.of());
            Thread thread = new Thread(daemon::run, "daemon-under-test");
            thread.start();
            String run = "seed " + seed;
            History history = History.start();
            try {
                Operations ops = new Operations(library, random, history);
                long end = System.nanoTime() + seconds * 1_000_000_000L;
                int done = 0;
                while (System.nanoTime() < end) {
                    ops.any();
                    done++;
                    assertNull(daemon.status().get("last_error"), run);
                    Thread.sleep(random.nextInt(250));
                }
                awaitQuiet(daemon, run);
                List<String> onDisk = photosOnDisk(library);
                List<String> indexed = new ArrayList<>();
                store.forEachRecord("", (p, r) -> indexed.add(p));
                assertEquals(onDisk, indexed.stream().sorted().toList(), run + ", " + done + " operations");
                assertEquals(Daemon.State.IDLE, daemon.state(), run);
                assertEquals(0L, daemon.status().get("queue"), run);
                List<Path> orphans = sidecarsOnDisk(library).stream()
                        .filter(sidecar -> !Files.exists(photoOf(sidecar))).toList();
                Map<String, Object> status = daemon.status();
                System.out.println("soak: " + run + ", " + seconds + " s, " + done + " operations (" + ops.alone
                        + " photos renamed or deleted without their sidecar), " + onDisk.size() + " photos, "
                        + orphans.size() + " orphaned sidecars, " + temporaryFiles(library) + " temporary files; " + Stream.of("embedded", "renamed", "removed",
                                "skipped", "tag_writes", "tag_failures", "tag_changed_retry")
                        .map(k -> k + " " + status.get(k)).collect(java.util.stream.Collectors.joining(", ")));
                assertEquals(List.of(), orphans, run + ": sidecars whose photo is gone\n" + history.about(orphans));
                assertEquals(0L, status.get("tag_failures"), run + ": failed tag writes");
                assertEquals(0L, temporaryFiles(library), run + ": temporary files of clipd's writes left");
                for (String photo : onDisk) {
                    Path sidecar = Path.of(photo + ".xmp");
                    assertTrue(Files.exists(sidecar), run + ": tags of " + photo);
                    assertTrue(!XmpKeywords.parse(Files.readString(sidecar)).own().isEmpty(), run + ": " + sidecar);
                }
                assertEquals((long) onDisk.size(), daemon.status().get("tagged"), run);
            } finally {
                daemon.stop();
                thread.join(10_000);
                history.close();
            }
        }
    }

    private static void awaitQuiet(Daemon daemon, String run) throws InterruptedException {
        Await.until(() -> daemon.state() == Daemon.State.IDLE && daemon.status().get("settling").equals(0),
                "the daemon idle, " + run, 120);
        for (int calm = 0; calm < 3; ) {
            Thread.sleep(700);
            boolean quiet = daemon.state() == Daemon.State.IDLE && daemon.status().get("settling").equals(0);
            calm = quiet ? calm + 1 : 0;
        }
    }

    private static List<String> photosOnDisk(Path library) throws IOException {
        try (Stream<Path> files = Files.walk(library)) {
            return files.filter(Files::isRegularFile).map(Path::toString)
                    .filter(p -> ImageDecoder.supportedExtensions().contains(FolderScanner.extension(p)))
                    .sorted().toList();
        }
    }

    private static long temporaryFiles(Path library) throws IOException {
        try (Stream<Path> files = Files.walk(library)) {
            return files.filter(p -> p.getFileName().toString().startsWith(".clipd-tmp")).count();
        }
    }

    private static Path photoOf(Path sidecar) {
        String name = sidecar.toString();
        return Path.of(name.substring(0, name.length() - ".xmp".length()));
    }

    private static List<Path> sidecarsOnDisk(Path library) throws IOException {
        try (Stream<Path> files = Files.walk(library)) {
            return files.filter(p -> p.toString().endsWith(".xmp")).toList();
        }
    }

    /**
     * What a person does to a photo library. Photos are renamed, moved and deleted with their sidecars, as photo
     * managers do, or, every other time, without them, as a file manager or {@code mv} does: then clipd's sidecar
     * must follow its photo by itself.
     */
    private static final class Operations {
        private final Path library;
        private final Random random;
        private final History history;
        private int names;
        int alone;

        Operations(Path library, Random random, History history) {
            this.library = library;
            this.random = random;
            this.history = history;
        }

        void any() throws IOException {
            try {
                switch (random.nextInt(10)) {
                    case 0, 1, 2, 3 -> create();
                    case 4, 5 -> renamePhoto();
                    case 6 -> newFolder();
                    case 7 -> moveFolder();
                    case 8 -> deletePhoto();
                    default -> {
                        if (random.nextInt(3) == 0) {
                            deleteFolder();
                        } else {
                            create();
                        }
                    }
                }
            } catch (NoSuchFileException e) {
                // chosen while the daemon's own tag write replaced it: try something else next time
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof NoSuchFileException)) {
                    throw e;
                }
                // a temporary file of the daemon's tag write, seen by the walk, was gone when it looked closer
            }
        }

        private <T> T pick(List<T> list) {
            return list.get(random.nextInt(list.size()));
        }

        private List<Path> folders() throws IOException {
            try (Stream<Path> s = Files.walk(library)) {
                return s.filter(Files::isDirectory).toList();
            }
        }

        private List<Path> photos() throws IOException {
            try (Stream<Path> s = Files.walk(library)) {
                return s.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".xmp"))
                        .filter(p -> !p.getFileName().toString().startsWith(".")).toList();
            }
        }

        private String fresh(String like) {
            return "p" + names++ + " " + like;
        }

        private void create() throws IOException {
            String source = pick(SOURCES);
            Path to = pick(folders()).resolve(fresh(source));
            Files.copy(Fixtures.SHARED_IMAGES.resolve(source), to).toFile().setWritable(true);
            history.add("create " + to);
        }

        private void newFolder() throws IOException {
            history.add("mkdir " + Files.createDirectories(pick(folders()).resolve("f" + names++)));
        }

        private void renamePhoto() throws IOException {
            List<Path> photos = photos();
            if (photos.isEmpty()) {
                return;
            }
            Path photo = pick(photos);
            String name = photo.getFileName().toString();
            Path to = pick(folders()).resolve(fresh(name.substring(name.indexOf(' ') + 1)));
            Path sidecar = Path.of(photo + ".xmp");
            Files.move(photo, to);
            boolean with = withSidecar() && Files.exists(sidecar);
            if (with) {
                Files.move(sidecar, Path.of(to + ".xmp"));
            }
            history.add("move " + photo + " -> " + to + (with ? " with its sidecar" : " alone"));
        }

        private void deletePhoto() throws IOException {
            List<Path> photos = photos();
            if (!photos.isEmpty()) {
                Path photo = pick(photos);
                Files.delete(photo);
                boolean with = withSidecar() && Files.deleteIfExists(Path.of(photo + ".xmp"));
                history.add("delete " + photo + (with ? " with its sidecar" : " alone"));
            }
        }

        private boolean withSidecar() {
            boolean with = random.nextBoolean();
            alone += with ? 0 : 1;
            return with;
        }

        private List<Path> subfolders() throws IOException {
            return folders().stream().filter(f -> !f.equals(library)).toList();
        }

        private void moveFolder() throws IOException {
            List<Path> subfolders = subfolders();
            if (subfolders.isEmpty()) {
                return;
            }
            Path folder = pick(subfolders);
            List<Path> targets = folders().stream().filter(f -> !f.startsWith(folder)).toList();
            Path to = pick(targets).resolve("m" + names++);
            Files.move(folder, to);
            history.add("move folder " + folder + " -> " + to);
        }

        private void deleteFolder() throws IOException {
            List<Path> subfolders = subfolders();
            if (subfolders.isEmpty()) {
                return;
            }
            Path folder = pick(subfolders);
            history.add("delete folder " + folder);
            for (int attempt = 0; Files.exists(folder); attempt++) {
                try (Stream<Path> s = Files.walk(folder)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                } catch (DirectoryNotEmptyException | UncheckedIOException e) {
                    if (attempt == 10) {
                        throw e;
                    }
                    // a tag write of the daemon's landed in it meanwhile: rm -r would stop here, a person tries again
                }
            }
        }
    }

    /**
     * What the soak did and what clipd logged (its debug lines too), in order, so that a failure can show the story
     * of the file it is about.
     */
    private static final class History extends Handler {
        private static final Pattern MOVE = Pattern.compile(" move (.+) -> (.+?)( with| alone)");
        private final Logger clipd = Logger.getLogger("clipd");
        private final Level before = clipd.getLevel();
        private final long start = System.nanoTime();
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

        static History start() {
            History history = new History();
            history.clipd.setLevel(Level.ALL);
            history.clipd.addHandler(history);
            return history;
        }

        void add(String line) {
            lines.add(String.format("%9.3f %s", (System.nanoTime() - start) / 1e9, line));
        }

        @Override
        public void publish(LogRecord record) {
            add("[" + record.getLevel() + " " + record.getLoggerName().replace("clipd.", "") + "] "
                    + new SimpleFormatter().formatMessage(record));
        }

        /** The lines that name each file or, going back through renames, the names it had before. */
        String about(List<Path> files) {
            StringBuilder story = new StringBuilder();
            List<String> all = List.copyOf(lines);
            for (Path file : files) {
                Set<String> names = new HashSet<>();
                String name = file.getFileName().toString();
                names.add(name.substring(0, name.length() - ".xmp".length()));
                List<String> told = new ArrayList<>();
                for (int i = all.size() - 1; i >= 0; i--) {
                    String line = all.get(i);
                    if (names.stream().anyMatch(line::contains)) {
                        told.add(line);
                        Matcher rename = MOVE.matcher(line);
                        if (rename.find() && names.stream().anyMatch(rename.group(2)::endsWith)) {
                            names.add(Path.of(rename.group(1)).getFileName().toString());
                        }
                    }
                }
                story.append(file).append(":\n");
                for (int i = told.size() - 1; i >= 0; i--) {
                    story.append("  ").append(told.get(i)).append('\n');
                }
            }
            return story.toString();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            clipd.removeHandler(this);
            clipd.setLevel(before);
        }
    }
}

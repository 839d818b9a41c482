package clipd.tags;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TagVocabularyTest {
    @TempDir
    Path tmp;

    @Test
    void theBuiltInVocabularyIsLargeUniqueAndWritableAsKeywords() throws Exception {
        List<String> tags = TagVocabulary.load(null, null).tags();
        assertTrue(tags.size() >= 900 && tags.size() <= 2000, tags.size() + " tags");
        assertEquals(tags.size(), new HashSet<>(tags).size(), "no duplicates");
        assertTrue(tags.containsAll(List.of("cat", "receipt", "screenshot", "sunset", "birthday cake", "document")));
        for (String t : tags) {
            assertTrue(t.equals(t.strip()) && !t.isEmpty() && t.chars().noneMatch(c -> "|/,;".indexOf(c) >= 0), t);
        }
    }

    @Test
    void aPersonsFileReplacesOrExtendsItAndABadLineIsNamed() throws Exception {
        Path mine = Files.writeString(tmp.resolve("mine.txt"), "# my tags\ngrandma\n\nour boat\n");
        assertEquals(List.of("grandma", "our boat"), TagVocabulary.load(mine, null).tags());
        List<String> extended = TagVocabulary.load(null, mine).tags();
        assertTrue(extended.contains("grandma") && extended.contains("cat"));
        Path bad = Files.writeString(tmp.resolve("bad.txt"), "dog\nfamily/holidays\n");
        IOException e = assertThrows(IOException.class, () -> TagVocabulary.load(bad, null));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("'/'"), e.getMessage());
    }
}

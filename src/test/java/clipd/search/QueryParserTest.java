package clipd.search;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueryParserTest {
    private static final Path CWD = Path.of("/home/me/photos");

    private static Query parse(String... words) throws QueryException {
        return QueryParser.parse(List.of(words), CWD);
    }

    @Test
    void addsAndSubtractsTerms() throws QueryException {
        Query q = parse("horse", "+", "stripes", "-", "zebra");
        assertEquals(List.of(new Query.Text("horse", 1), new Query.Text("stripes", 1), new Query.Text("zebra", -1)),
                q.terms());
    }

    @Test
    void readsWeightsLikeRclip() throws QueryException {
        assertEquals(new Query.Text("golden retriever", 2), parse("2:golden retriever").terms().get(0));
        assertEquals(new Query.Text("cat", 0.5f), parse(".5:cat").terms().get(0));
        assertEquals(new Query.Text("cat", 3f), parse("3.:cat").terms().get(0));
        assertEquals(new Query.Text("dog", -1.5f), parse("cat", "-", "1.5:dog").terms().get(1));
        assertEquals(new Query.Text("30 train", 10), parse("10:30 train").terms().get(0),
                "as in rclip, a leading number and colon is always a weight");
        assertEquals(new Query.Text("2:", 1), parse("2:").terms().get(0), "nothing after the colon: plain text");
    }

    @Test
    void pathsAreImageTerms() throws QueryException {
        Query q = parse("./cat.jpg", "+", "2:/tmp/dog.png", "-", "file:///x/y.jpg", "+", "../z.webp");
        assertEquals(new Query.Image(Path.of("/home/me/photos/cat.jpg"), 1), q.terms().get(0));
        assertEquals(new Query.Image(Path.of("/tmp/dog.png"), 2), q.terms().get(1));
        assertEquals(new Query.Image(Path.of("/x/y.jpg"), -1), q.terms().get(2));
        assertEquals(new Query.Image(Path.of("/home/me/z.webp"), 1), q.terms().get(3));
        assertTrue(q.hasImages());
        assertEquals(new Query.Text("cat.jpg", 1), parse("cat.jpg").terms().get(0), "rclip: a bare name is text");
    }

    @Test
    void rejectsMalformedQueries() {
        assertThrows(QueryException.class, () -> parse());
        assertThrows(QueryException.class, () -> parse("+", "cat"));
        assertThrows(QueryException.class, () -> parse("cat", "-"));
        assertThrows(QueryException.class, () -> parse("cat", "dog"));
        assertThrows(QueryException.class, () -> parse("2: "));
        assertThrows(QueryException.class, () -> parse("x".repeat(QueryParser.MAX_TERM_LENGTH + 1)));
    }

    @Test
    void theCommandLineAndATypedLineAreReadAlike() throws QueryException {
        for (String line : List.of("cat +", "- cat", "cat + - dog", "+")) {
            QueryException cli = assertThrows(QueryException.class, () -> parse(line), line);
            QueryException api = assertThrows(QueryException.class, () -> QueryParser.parseText(line), line);
            assertEquals(cli.getMessage(), api.getMessage(), line);
        }
        assertEquals(QueryParser.parseText("horse + stripes - zebra"), parse("horse + stripes - zebra"));
        assertEquals(parse("horse", "+", "stripes", "-", "zebra"), parse("horse + stripes - zebra"));
        assertEquals(List.of(new Query.Text("t-shirt", 1)), parse("t-shirt").terms());
        assertEquals(new Query.Image(Path.of("/x/a - b.jpg"), 1), parse("/x/a - b.jpg").terms().get(0),
                "a file name keeps its ' - '");
    }
}

package clipd.tags;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XmpKeywordsTest {
    /** A sidecar as another app left it: a person's keywords in a Seq, a rating, a title. */
    private static final String THEIRS = """
            <x:xmpmeta xmlns:x="adobe:ns:meta/">
             <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
              <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
                  xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="4">
               <dc:subject><rdf:Seq><rdf:li>holiday</rdf:li><rdf:li>cat</rdf:li></rdf:Seq></dc:subject>
               <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Grandma's cat</rdf:li></rdf:Alt></dc:title>
              </rdf:Description>
             </rdf:RDF>
            </x:xmpmeta>""";

    @Test
    void retaggingKeepsEverythingElseAndClaimsNoKeywordAPersonHad() throws Exception {
        XmpKeywords x = XmpKeywords.parse(THEIRS);
        assertTrue(x.retag(List.of("cat", "sofa")));
        String packet = x.serialize(false);
        assertTrue(packet.contains("<rdf:Seq>"), "dc:subject keeps its container: " + packet);
        assertTrue(packet.contains("Grandma's cat") && packet.contains("xmp:Rating=\"4\""), packet);

        XmpKeywords back = XmpKeywords.parse(packet);
        assertEquals(List.of("holiday", "cat", "sofa"), back.keywords());
        assertEquals(List.of("sofa"), back.own());
        assertEquals(List.of("clipd|cat", "clipd|sofa"), back.hierarchical());
        assertEquals(List.of("clipd/cat", "clipd/sofa"), back.digiKamTags());
        assertEquals(List.of("sofa"), back.windowsKeywords());

        assertFalse(back.retag(List.of("cat", "sofa")), "same tags, no change");
        assertTrue(back.retag(List.of("dog")));
        assertEquals(List.of("holiday", "cat", "dog"), back.keywords());
        assertEquals(List.of("clipd|dog"), back.hierarchical());

        assertTrue(back.untag());
        XmpKeywords clean = XmpKeywords.parse(back.serialize(false));
        assertEquals(List.of("holiday", "cat"), clean.keywords());
        assertEquals(List.of(), clean.own());
        assertEquals(List.of(), clean.hierarchical());
        assertEquals(List.of(), clean.digiKamTags());
        assertFalse(clean.isEmpty());
    }

    @Test
    void aNewPacketUsesBagsAndIsEmptyAgainAfterUntagging() throws Exception {
        XmpKeywords x = XmpKeywords.parse(null);
        assertTrue(x.isEmpty());
        x.retag(List.of("beach", "sunset"));
        String packet = x.serialize(false);
        assertTrue(packet.matches("(?s).*<dc:subject[^>]*>\\s*<rdf:Bag>.*"), packet);
        assertTrue(packet.matches("(?s).*<digiKam:TagsList[^>]*>\\s*<rdf:Seq>.*"), packet);
        assertTrue(packet.contains("x:xmptk=\"clipd\""), "clipd names itself as the toolkit: " + packet);
        XmpKeywords back = XmpKeywords.parse(packet);
        assertEquals(List.of("beach", "sunset"), back.own());
        back.untag();
        assertTrue(back.isEmpty(), back.serialize(false));
    }

    @Test
    void anEditChangesOnlyClipdsPropertiesAndKeepsEveryOtherByte() throws Exception {
        String theirs = THEIRS.replace("<dc:title>", "<!-- a comment -->\n   <tiff:Artist xmlns:tiff="
                + "\"http://ns.adobe.com/tiff/1.0/\">Ian</tiff:Artist>\n   <dc:title>");
        XmpKeywords x = XmpKeywords.parse(theirs);
        x.retag(List.of("sofa"));
        String packet = x.serialize(false);
        int subject = theirs.indexOf("<dc:subject>");
        assertEquals(theirs.substring(0, subject), packet.substring(0, subject), "everything before dc:subject");
        assertTrue(packet.contains("<!-- a comment -->") && packet.contains("<tiff:Artist"), packet);
        assertTrue(packet.contains("<rdf:li>holiday</rdf:li><rdf:li>cat</rdf:li>"), "kept items keep their text");
        x.untag();
        assertEquals(theirs, x.serialize(false), "untagging gives back the packet as it was");
    }

    @Test
    void generalRdfIsRefusedNotFlattened() throws Exception {
        String rdf = """
                <x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
                 <rdf:Description rdf:about="" xmlns:ph="https://exiftool.org/ph/1.0/"><ph:tester rdf:nodeID="a"/>
                 </rdf:Description>
                 <rdf:Description rdf:nodeID="a" xmlns:ph="https://exiftool.org/ph/1.0/" ph:name="Phil"/>
                </rdf:RDF></x:xmpmeta>""";
        RefusedException e = org.junit.jupiter.api.Assertions.assertThrows(RefusedException.class,
                () -> XmpKeywords.parse(rdf).retag(List.of("cat")));
        assertTrue(e.getMessage().contains("general RDF"), e.getMessage());
    }
}

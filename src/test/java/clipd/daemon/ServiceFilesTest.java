package clipd.daemon;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The systemd unit and the launchd agent that run {@code clipd serve}. */
class ServiceFilesTest {
    private static final Path UNIT = Path.of("systemd/clipd.service");
    private static final Path PLIST = Path.of("launchd/dev.clipd.plist");

    @Test
    void theSystemdUnitPassesSystemdAnalyzeVerify() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(analyze), "needs systemd-analyze (apt-get install systemd)");
        Process p = new ProcessBuilder(analyze.toString(), "verify", UNIT.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.lines().noneMatch(l -> l.contains("clipd.service")), "warnings about the unit:\n" + out);
    }

    @Test
    void theSystemdUnitRunsTheDaemonGentlyAndConfined() throws Exception {
        List<String> lines = Files.readAllLines(UNIT);
        for (String directive : List.of("ExecStart=/usr/bin/env java -XX:+UseSerialGC --add-modules jdk.incubator.vector -jar "
                        + "%h/.local/lib/clipd/clipd.jar serve",
                "Restart=on-failure", "RestartPreventExitStatus=2", "Nice=10", "IOSchedulingClass=idle",
                "NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=-%h/.local/share/clipd -%h",
                "PrivateTmp=yes", "WantedBy=default.target")) {
            assertTrue(lines.contains(directive), directive);
        }
    }

    @Test
    void theLaunchAgentIsAValidPlistWithTheRightKeys() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = factory.newDocumentBuilder().parse(PLIST.toFile());
        Element plist = doc.getDocumentElement();
        assertEquals("plist", plist.getTagName());
        assertEquals("1.0", plist.getAttribute("version"));
        List<Element> top = children(plist);
        assertEquals(1, top.size());
        Map<String, Element> dict = dict(top.get(0));
        assertEquals("dev.clipd", dict.get("Label").getTextContent());
        List<Element> program = children(dict.get("ProgramArguments"));
        assertEquals("array", dict.get("ProgramArguments").getTagName());
        assertEquals("/bin/sh", program.get(0).getTextContent());
        assertTrue(program.get(2).getTextContent().contains("clipd.jar\" serve >> \"$HOME/Library/Logs/clipd/clipd.log\" 2>&1"),
                program.get(2).getTextContent());
        assertEquals("true", dict.get("RunAtLoad").getTagName());
        assertEquals("false", dict(dict.get("KeepAlive")).get("SuccessfulExit").getTagName());
        assertEquals("Background", dict.get("ProcessType").getTextContent());
        assertEquals("true", dict.get("LowPriorityIO").getTagName());
    }

    /** A plist dict: every key element followed by exactly one value element. */
    private static Map<String, Element> dict(Element dict) {
        assertEquals("dict", dict.getTagName());
        List<Element> items = children(dict);
        assertEquals(0, items.size() % 2, "a key without a value");
        Map<String, Element> map = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i += 2) {
            assertEquals("key", items.get(i).getTagName());
            map.put(items.get(i).getTextContent(), items.get(i + 1));
        }
        return map;
    }

    private static List<Element> children(Element e) {
        List<Element> out = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element child) {
                out.add(child);
            }
        }
        return out;
    }
}

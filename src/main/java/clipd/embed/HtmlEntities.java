package clipd.embed;

import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's {@code html.unescape} for numeric character references (complete, including its
 * Windows-1252 and invalid-code-point rules) and a subset of the named HTML5 entities.
 * Unknown names are left as they are, as Python does for names missing from its table.
 */
final class HtmlEntities {
    private HtmlEntities() {}

    private static final Pattern CHARREF =
            Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)");

    private static final Map<String, String> NAMED = Map.ofEntries(
            Map.entry("amp", "&"), Map.entry("AMP", "&"),
            Map.entry("lt", "<"), Map.entry("LT", "<"),
            Map.entry("gt", ">"), Map.entry("GT", ">"),
            Map.entry("quot", "\""), Map.entry("QUOT", "\""),
            Map.entry("apos", "'"),
            Map.entry("nbsp", "\u00a0"),
            Map.entry("copy", "\u00a9"), Map.entry("COPY", "\u00a9"),
            Map.entry("reg", "\u00ae"), Map.entry("REG", "\u00ae"),
            Map.entry("deg", "\u00b0"),
            Map.entry("laquo", "\u00ab"), Map.entry("raquo", "\u00bb"),
            Map.entry("hellip", "\u2026"),
            Map.entry("ndash", "\u2013"), Map.entry("mdash", "\u2014"),
            Map.entry("lsquo", "\u2018"), Map.entry("rsquo", "\u2019"),
            Map.entry("ldquo", "\u201c"), Map.entry("rdquo", "\u201d"));

    /** HTML4-era names that HTML5 (and Python) also accept without the trailing ';'. */
    private static final Set<String> LEGACY = Set.of(
            "amp", "AMP", "lt", "LT", "gt", "GT", "quot", "QUOT", "nbsp",
            "copy", "COPY", "reg", "REG", "deg", "laquo", "raquo");

    /** Python's html._invalid_charrefs for 0x80..0x9F: the Windows-1252 reading of those bytes. */
    private static final String CP1252_80_9F =
            "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f"
            + "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

    static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = CHARREF.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(replace(m.group(1))));
        }
        return m.appendTail(out).toString();
    }

    private static String replace(String ref) {
        if (ref.charAt(0) == '#') {
            boolean hex = ref.charAt(1) == 'x' || ref.charAt(1) == 'X';
            String digits = ref.substring(hex ? 2 : 1, ref.endsWith(";") ? ref.length() - 1 : ref.length());
            return numeric(digits, hex ? 16 : 10);
        }
        String exact = ref.endsWith(";") ? NAMED.get(ref.substring(0, ref.length() - 1)) : legacy(ref);
        if (exact != null) {
            return exact;
        }
        // Like Python: the longest legacy name (at least 2 chars) that prefixes the reference wins.
        for (int len = ref.length() - 1; len > 1; len--) {
            String value = legacy(ref.substring(0, len));
            if (value != null) {
                return value + ref.substring(len);
            }
        }
        return "&" + ref;
    }

    private static String legacy(String name) {
        return LEGACY.contains(name) ? NAMED.get(name) : null;
    }

    private static String numeric(String digits, int radix) {
        String significant = digits.replaceFirst("^0+", "");
        // More than 8 significant digits is beyond U+10FFFF in either radix; skip parsing to avoid overflow.
        long cp = significant.length() > 8 ? Long.MAX_VALUE
                : significant.isEmpty() ? 0 : Long.parseLong(significant, radix);
        if (cp == 0) {
            return "\ufffd";
        }
        if (cp == 0x0d) {
            return "\r";
        }
        if (cp >= 0x80 && cp <= 0x9f) {
            return String.valueOf(CP1252_80_9F.charAt((int) cp - 0x80));
        }
        if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
            return "\ufffd";
        }
        if (cp <= 0x08 || cp == 0x0b || (cp >= 0x0e && cp <= 0x1f) || cp == 0x7f
                || (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe) {
            return "";
        }
        return Character.toString((int) cp);
    }
}

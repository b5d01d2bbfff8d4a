package dev.ferry.server;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Validation of file names supplied by a peer (PROTOCOL.md section 5). A name that breaks a rule
 * is refused with an {@link InboxNameException} saying which rule; it is never "cleaned" into a
 * different path. Stateless and thread-safe.
 */
public final class InboxNames {
    public static final int MAX_SEGMENT_BYTES = 255;
    public static final int MAX_PATH_BYTES = 4096;

    /** Longest part of a name quoted in a message, so a refusal of a huge name stays one short line. */
    private static final int MAX_SHOWN_CHARS = 80;

    // Windows opens a device instead of a file for these stems, with any extension (con.txt).
    private static final Set<String> DEVICE_NAMES = Set.of(
            "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
            "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
            "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9");

    // Characters that show as a slash, backslash or dot without being one, so a reader of a log or
    // a listing would see a different path. Those with a compatibility decomposition to '/', '\',
    // ':' or '.' (U+FF0F, U+FF3C, U+FE68, U+2024, U+FF0E, ...) are also caught by the NFKC rule.
    private static final Set<Integer> LOOK_ALIKES = Set.of(
            0x2215, 0x2044, 0x2216, 0x29F5, 0x29F8, 0x29F9, 0x27CB, 0x27CD, 0x2571, 0x2572, 0x1735,
            0xFF0F, 0xFF3C, 0xFE68, 0x2024, 0x2025, 0xFE52, 0xFF0E, 0xFF1A, 0xFE55, 0xFE13);

    private InboxNames() {
    }

    /**
     * Validates a relative path with '/' separators, as sent in a native session (sub-folders are
     * kept).
     *
     * @return the segments, in order
     */
    public static List<String> checkRelativePath(String name) throws InboxNameException {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw refused(name, "the name is empty");
        }
        checkEncodable(name);
        int bytes = utf8Length(name);
        if (bytes > MAX_PATH_BYTES) {
            throw refused(name, "the name is " + bytes + " UTF-8 bytes, over the limit of " + MAX_PATH_BYTES);
        }
        if (name.startsWith("\\\\") || name.startsWith("//")) {
            throw refused(name, "UNC paths (\\\\server\\share) are not allowed; send a path relative to the outbox");
        }
        if (name.startsWith("/")) {
            throw refused(name, "absolute paths are not allowed; send a path relative to the outbox");
        }
        if (name.length() >= 2 && isAsciiLetter(name.charAt(0)) && name.charAt(1) == ':') {
            throw refused(name, "drive letter '" + name.substring(0, 2)
                    + "' is not allowed (':' is not allowed in names); send a path relative to the outbox");
        }
        if (name.indexOf('\\') >= 0) {
            throw refused(name, "backslash is not allowed; '/' is the only separator");
        }
        List<String> segments = List.of(name.split("/", -1));
        for (int i = 0; i < segments.size(); i++) {
            checkSegment(name, segments.get(i), i == 0);
        }
        return segments;
    }

    /**
     * Keeps only the text after the last '/' or '\' of a path typed in a seed session, and checks
     * that one segment.
     *
     * @return the last segment
     */
    public static String lastSegment(String typedPath) throws InboxNameException {
        Objects.requireNonNull(typedPath, "typedPath");
        int cut = Math.max(typedPath.lastIndexOf('/'), typedPath.lastIndexOf('\\'));
        String segment = typedPath.substring(cut + 1);
        if (segment.isEmpty()) {
            throw refused(typedPath, "no file name follows the last separator");
        }
        checkEncodable(typedPath);
        checkSegment(typedPath, segment, true);
        return segment;
    }

    /** Decodes a name received as bytes; malformed UTF-8 (overlong forms, encoded surrogates, ...) is refused. */
    public static String decodeUtf8(byte[] raw) throws InboxNameException {
        Objects.requireNonNull(raw, "raw");
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(raw);
        CharBuffer out = CharBuffer.allocate(raw.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int at = in.position();
            String seen = at < raw.length ? String.format("byte 0x%02X", raw[at] & 0xFF) : "end of input";
            throw new InboxNameException("name refused: not valid UTF-8 (malformed " + seen + " at offset " + at + ")");
        }
        return out.flip().toString();
    }

    /** Throws unless {@code segments} pass {@link #checkRelativePath}: a bug of the caller, not of the peer. */
    static void requireValid(List<String> segments) {
        try {
            List<String> checked = checkRelativePath(String.join("/", segments));
            if (!checked.equals(segments)) {
                throw new IllegalArgumentException("a segment contains '/': " + show(String.join("|", segments)));
            }
        } catch (InboxNameException e) {
            throw new IllegalArgumentException("segments were not validated by InboxNames: " + e.getMessage(), e);
        }
    }

    private static void checkSegment(String name, String segment, boolean first) throws InboxNameException {
        if (segment.isEmpty()) {
            throw refused(name, "empty segment (leading, doubled or trailing '/')");
        }
        if (segment.equals(".") || segment.equals("..")) {
            throw refused(name, "segment '" + segment + "' is not allowed");
        }
        if (first && segment.equalsIgnoreCase(Inbox.WORK_DIR)) {
            throw refused(name, "first segment '" + show(segment) + "' is the server's work folder");
        }
        for (int i = 0; i < segment.length(); ) {
            int cp = segment.codePointAt(i);
            checkCharacter(name, cp);
            i += Character.charCount(cp);
        }
        if (segment.endsWith(".")) {
            throw refused(name, "segment '" + show(segment) + "' ends with '.', which Windows drops");
        }
        if (segment.endsWith(" ")) {
            throw refused(name, "segment '" + show(segment) + "' ends with a space, which Windows drops");
        }
        int bytes = utf8Length(segment);
        if (bytes > MAX_SEGMENT_BYTES) {
            throw refused(name, "segment '" + show(segment) + "' is " + bytes
                    + " UTF-8 bytes, over the limit of " + MAX_SEGMENT_BYTES);
        }
        if (isDeviceName(segment) || isDeviceName(Normalizer.normalize(segment, Normalizer.Form.NFKC))) {
            throw refused(name, "segment '" + show(segment) + "' is a reserved Windows device name");
        }
    }

    private static void checkCharacter(String name, int cp) throws InboxNameException {
        if (Character.isISOControl(cp)) {
            throw refused(name, "control character " + describe(cp) + " is not allowed");
        }
        if (cp == ':') {
            throw refused(name, "':' is not allowed (drive letter or NTFS alternate data stream)");
        }
        int type = Character.getType(cp);
        if (type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
            throw refused(name, "invisible format character " + describe(cp) + " is not allowed");
        }
        if (cp == 0xFFFD) {
            throw refused(name, describe(cp) + " is not allowed: the name was not valid UTF-8 when decoded");
        }
        if (LOOK_ALIKES.contains(cp) || looksLikeSeparatorOrDot(cp)) {
            throw refused(name, describe(cp) + " looks like a separator or a dot and is not allowed");
        }
    }

    // A non-ASCII character whose compatibility form contains '/', '\', ':' or '.' (fullwidth
    // solidus, one dot leader, ...). U+2026 HORIZONTAL ELLIPSIS is common in real names and '...'
    // means nothing in a path, so it is kept.
    private static boolean looksLikeSeparatorOrDot(int cp) {
        if (cp < 0x80 || cp == 0x2026) {
            return false;
        }
        String compatible = Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKC);
        return compatible.chars().anyMatch(c -> c == '/' || c == '\\' || c == ':' || c == '.');
    }

    private static boolean isDeviceName(String segment) {
        int dot = segment.indexOf('.');
        String stem = (dot < 0 ? segment : segment.substring(0, dot)).stripTrailing();
        return DEVICE_NAMES.contains(stem.toUpperCase(Locale.ROOT));
    }

    // A Java String may hold an unpaired surrogate, which has no UTF-8 form.
    private static void checkEncodable(String name) throws InboxNameException {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw refused(name, "not valid UTF-8 (unpaired surrogate " + describe(c) + " at index " + i + ")");
            }
        }
    }

    private static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            i += Character.charCount(cp);
        }
        return bytes;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    private static String describe(int cp) {
        String unicodeName = Character.getName(cp);
        return String.format("U+%04X", cp) + (unicodeName == null ? "" : " " + unicodeName);
    }

    static InboxNameException refused(String name, String rule) {
        return new InboxNameException("name '" + show(name) + "' refused: " + rule);
    }

    /** The name as it may appear in a log line: invisible and control characters escaped, long names cut. */
    static String show(String name) {
        StringBuilder shown = new StringBuilder();
        int i = 0;
        while (i < name.length() && i < MAX_SHOWN_CHARS) {
            int cp = name.codePointAt(i);
            if (isHidden(cp)) {
                shown.append(String.format("\\u%04X", cp));
            } else {
                shown.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        if (i < name.length()) {
            shown.append("...(").append(name.length()).append(" chars)");
        }
        return shown.toString();
    }

    private static boolean isHidden(int cp) {
        int type = Character.getType(cp);
        return Character.isISOControl(cp) || type == Character.SURROGATE || type == Character.FORMAT
                || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }
}

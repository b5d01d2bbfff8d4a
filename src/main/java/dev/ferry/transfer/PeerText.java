package dev.ferry.transfer;

/**
 * Text a peer sent (a name, a HELLO value, a malformed line) as it may appear in a log line or
 * in the message of an exception that is logged: control, format and line-separator characters
 * are replaced by a Java-style escape of their code point, so that a peer can neither start a log
 * line of its own nor hide or reorder text (CWE-117), and long text is cut. The same rule as
 * InboxNames.show applies to names.
 */
final class PeerText {
    private static final int MAX_CHARS = 80;

    private PeerText() {
    }

    static String show(String text) {
        String cut = text.length() <= MAX_CHARS ? text : text.substring(0, MAX_CHARS - 3);
        StringBuilder shown = new StringBuilder(cut.length() + 3);
        for (int i = 0; i < cut.length(); ) {
            int cp = cut.codePointAt(i);
            int type = Character.getType(cp);
            if (Character.isISOControl(cp) || type == Character.FORMAT || type == Character.SURROGATE
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
                shown.append(String.format("\\u%04X", cp));
            } else {
                shown.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        return cut.length() < text.length() ? shown.append("...").toString() : shown.toString();
    }
}

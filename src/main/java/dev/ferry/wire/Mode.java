package dev.ferry.wire;

/**
 * The MODE word that opens every client-to-server frame (PROTOCOL.md section 1).
 * Modes 0-4 come from the original seed programs; 5-7 exist only in native sessions.
 */
public enum Mode {
    FILE(0, true),
    DATA(1, true),
    CLOSE(2, false),
    AUTH(3, true),
    KEY(4, true),
    HELLO(5, true),
    COMMIT(6, true),
    CLIENT_AUTH(7, true);

    private static final Mode[] BY_CODE = values();

    private final long code;
    private final boolean hasPayload;

    Mode(long code, boolean hasPayload) {
        this.code = code;
        this.hasPayload = hasPayload;
    }

    /** The u64 value on the wire. */
    public long code() {
        return code;
    }

    /** Whether the frame carries {@code M1} (length) and {@code M2} (payload). CLOSE does not. */
    public boolean hasPayload() {
        return hasPayload;
    }

    /** The mode for a wire value; any other value is a protocol error (there is no resynchronising). */
    public static Mode ofCode(long code) throws ProtocolException {
        if (code >= 0 && code < BY_CODE.length) {
            return BY_CODE[(int) code];
        }
        throw new ProtocolException("unknown MODE " + Long.toUnsignedString(code)
                + " (known: 0-" + (BY_CODE.length - 1) + ")");
    }
}

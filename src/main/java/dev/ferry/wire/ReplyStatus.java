package dev.ferry.wire;

/** The STATUS word of a server REPLY frame (PROTOCOL.md section 3.5). */
public enum ReplyStatus {
    /** Stored, duplicate, or an accepted handshake step. */
    OK(0),
    /** Policy: protocol not accepted, authentication required. The client keeps the file and backs off. */
    REFUSED(1),
    /** Malformed frame or unacceptable name. The client moves the file to its failed folder. */
    BAD_REQUEST(2),
    /** Size or digest mismatch. The client resends a bounded number of times. */
    INTEGRITY(3),
    /** Larger than the server accepts. The client moves the file to its failed folder. */
    TOO_LARGE(4),
    /** Disk full, inbox not writable, shutting down, busy. The client backs off and resends later. */
    UNAVAILABLE(5);

    private static final ReplyStatus[] BY_CODE = values();

    private final long code;

    ReplyStatus(long code) {
        this.code = code;
    }

    public long code() {
        return code;
    }

    public static ReplyStatus ofCode(long code) throws ProtocolException {
        if (code >= 0 && code < BY_CODE.length) {
            return BY_CODE[(int) code];
        }
        throw new ProtocolException("unknown REPLY status " + Long.toUnsignedString(code));
    }
}

package dev.ferry.transfer;

import dev.ferry.security.HandshakeException;
import dev.ferry.wire.ReplyStatus;

/** The server answered HELLO with a non-zero status: the protocol is not accepted, or it is busy. */
public final class SessionRefusedException extends HandshakeException {
    private final ReplyStatus status;

    public SessionRefusedException(ReplyStatus status, String reason) {
        super("server refused the session (" + status + "): " + reason);
        this.status = status;
    }

    public ReplyStatus status() {
        return status;
    }
}

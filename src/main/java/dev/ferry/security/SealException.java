package dev.ferry.security;

import dev.ferry.wire.ProtocolException;

/**
 * A sealed payload did not open: altered, replayed, reordered, dropped or truncated in transit.
 * The session is aborted and the file that was open is discarded.
 */
public class SealException extends ProtocolException {
    public SealException(String message) {
        super(message);
    }

    public SealException(String message, Throwable cause) {
        super(message, cause);
    }
}

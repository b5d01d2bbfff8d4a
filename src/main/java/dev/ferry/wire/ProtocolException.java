package dev.ferry.wire;

import java.io.IOException;

/**
 * The peer broke the wire protocol: unknown mode, over-limit length, truncated frame, a frame out
 * of order, or a payload that does not parse. The connection that raised it is closed; no attempt
 * is made to resynchronise.
 */
public class ProtocolException extends IOException {
    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}

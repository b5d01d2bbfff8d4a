package dev.ferry.security;

import dev.ferry.wire.ProtocolException;

/**
 * A handshake failed for a reason the user can act on: the certificate is not signed by the
 * configured CA, has expired, names another host; a signature does not verify; the peer refused
 * the protocol. The connection is closed and nothing is transferred on it.
 */
public class HandshakeException extends ProtocolException {
    public HandshakeException(String message) {
        super(message);
    }

    public HandshakeException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.ferry.security;

import java.io.IOException;

/** The client side of a plugin for one agent: holds the trust anchors it parsed once. Thread-safe. */
public interface ClientSecurity {
    /**
     * Runs the client side of a native handshake after HELLO was answered with STATUS 0
     * (AUTH, KEY, CLIENT-AUTH as the protocol needs), and returns the session's codec.
     */
    SessionCodec handshake(HandshakeChannel channel) throws IOException;
}

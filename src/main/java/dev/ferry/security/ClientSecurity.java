package dev.ferry.security;

import dev.ferry.wire.FrameReader;
import dev.ferry.wire.FrameWriter;

import java.io.IOException;

/** The client side of a plugin for one agent: holds the trust anchors it parsed once. Thread-safe. */
public interface ClientSecurity {
    /**
     * Runs the client side of a native handshake after HELLO was answered with STATUS 0
     * (AUTH, KEY, CLIENT-AUTH as the protocol needs), and returns the session's codec.
     */
    SessionCodec handshake(HandshakeChannel channel) throws IOException;

    /**
     * Compat mode ({@code ferry.client.compat}): the client side of a seed session with one of the
     * original servers (PROTOCOL.md section 2): AUTH and KEY as the protocol needs, then the
     * encoding of whole files for DATA frames.
     */
    SeedSender seedSession(FrameReader in, FrameWriter out) throws IOException;
}

package dev.ferry.security;

import java.io.IOException;
import java.util.Map;

/** The server side of one native handshake. Used by one connection thread. */
public interface ServerHandshake {
    /** Parameters this protocol adds to the HELLO answer (cp2: {@code server-share}). */
    default Map<String, String> helloParameters() {
        return Map.of();
    }

    /** Runs the rest of the handshake after the HELLO answer was sent, and returns the codec. */
    SessionCodec finish(HandshakeChannel channel) throws IOException;

    /** After {@link #finish}: the name the client proved with its certificate, or null when it did not authenticate. */
    default String clientName() {
        return null;
    }
}

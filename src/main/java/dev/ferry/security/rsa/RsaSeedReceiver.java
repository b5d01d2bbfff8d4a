package dev.ferry.security.rsa;

import dev.ferry.security.HandshakeException;
import dev.ferry.security.SeedReceiver;
import dev.ferry.wire.FrameWriter;

import java.io.IOException;
import java.util.Objects;

/**
 * The part of a seed session every RSA protocol shares (ap, cp1, cp2): AUTH answered in the seed
 * layout (refused when client certificates are required), DATA refused before it. Subclasses
 * decode DATA, and cp2 takes KEY. Used by one connection thread.
 */
public abstract class RsaSeedReceiver implements SeedReceiver {
    private final ServerAuthentication authentication;
    private final String protocol;
    private boolean authenticated;

    protected RsaSeedReceiver(ServerAuthentication authentication, String protocol) {
        this.authentication = Objects.requireNonNull(authentication, "authentication");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
    }

    protected ServerAuthentication authentication() {
        return authentication;
    }

    @Override
    public final void onAuth(byte[] message, FrameWriter out) throws IOException {
        authentication.answerSeed(message, out);
        authenticated = true;
    }

    @Override
    public void onKey(byte[] wrapped) throws IOException {
        throw new HandshakeException("the client sent a session key (KEY), which belongs to cp2; this server runs"
                + " protocol " + protocol);
    }

    @Override
    public final String dataRefusal() {
        if (!authenticated) {
            return "AUTH is required before DATA (the server proves its identity first)";
        }
        return keyRefusal();
    }

    /** Null when the protocol's key material is in place; cp2 refuses DATA before KEY. */
    protected String keyRefusal() {
        return null;
    }
}

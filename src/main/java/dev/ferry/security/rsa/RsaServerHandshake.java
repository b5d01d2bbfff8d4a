package dev.ferry.security.rsa;

import dev.ferry.security.HandshakeChannel;
import dev.ferry.security.ServerHandshake;
import dev.ferry.security.SessionCodec;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A native handshake of an RSA protocol, server side: AUTH (and CLIENT-AUTH when required), then
 * whatever the protocol adds before its codec (cp2: KEY). Used by one connection thread.
 */
public final class RsaServerHandshake implements ServerHandshake {
    /** What a protocol does after authentication to make its codec. */
    @FunctionalInterface
    public interface CodecFactory {
        SessionCodec create(HandshakeChannel channel) throws IOException;
    }

    private final ServerAuthentication authentication;
    private final Map<String, String> extraParameters;
    private final CodecFactory codec;
    private String clientName;

    /**
     * @param extraParameters what the protocol adds to the HELLO answer (cp2: {@code server-share})
     */
    public RsaServerHandshake(ServerAuthentication authentication, Map<String, String> extraParameters,
                              CodecFactory codec) {
        this.authentication = Objects.requireNonNull(authentication, "authentication");
        this.extraParameters = Map.copyOf(extraParameters);
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    @Override
    public Map<String, String> helloParameters() {
        Map<String, String> parameters = new LinkedHashMap<>(authentication.helloParameters());
        parameters.putAll(extraParameters);
        return parameters;
    }

    @Override
    public SessionCodec finish(HandshakeChannel channel) throws IOException {
        clientName = authentication.authenticate(channel);
        return codec.create(channel);
    }

    @Override
    public String clientName() {
        return clientName;
    }
}

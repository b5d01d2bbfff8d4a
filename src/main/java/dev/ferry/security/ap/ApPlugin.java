package dev.ferry.security.ap;

import dev.ferry.security.ClientSecurity;
import dev.ferry.security.HandshakeChannel;
import dev.ferry.security.SecurityContext;
import dev.ferry.security.SecurityPlugin;
import dev.ferry.security.SecuritySetupException;
import dev.ferry.security.SeedReceiver;
import dev.ferry.security.SeedSender;
import dev.ferry.security.ServerHandshake;
import dev.ferry.security.ServerSecurity;
import dev.ferry.security.SessionCodec;
import dev.ferry.security.rsa.ClientAuthentication;
import dev.ferry.security.rsa.RsaSeedReceiver;
import dev.ferry.security.rsa.RsaServerHandshake;
import dev.ferry.security.rsa.ServerAuthentication;
import dev.ferry.security.rsa.SignedReplies;
import dev.ferry.wire.FrameReader;
import dev.ferry.wire.FrameWriter;

import java.io.IOException;
import java.util.Map;

/**
 * {@code ap}: the server proves its identity with a CA-signed certificate (as the seed's
 * ...WithSecurityAP); files travel in the clear. Native sessions also sign every REPLY, so an
 * acknowledgement cannot be forged.
 */
public final class ApPlugin implements SecurityPlugin {
    @Override
    public String id() {
        return "ap";
    }

    @Override
    public String description() {
        return "server authenticated by a CA-signed certificate, signed acknowledgements; files not encrypted";
    }

    @Override
    public ClientSecurity client(SecurityContext context) throws SecuritySetupException {
        ClientAuthentication authentication = ClientAuthentication.create(context.settings(), context.random());
        return new ClientSecurity() {
            @Override
            public SessionCodec handshake(HandshakeChannel channel) throws IOException {
                var serverKey = authentication.authenticate(channel);
                return new ApCodec(SignedReplies.verifier(serverKey, channel.transcript().hash()));
            }

            @Override
            public SeedSender seedSession(FrameReader in, FrameWriter out) throws IOException {
                authentication.authenticateSeed(in, out);
                return content -> content;
            }
        };
    }

    @Override
    public ServerSecurity server(SecurityContext context) throws SecuritySetupException {
        ServerAuthentication authentication = ServerAuthentication.create(context.settings());
        return new ServerSecurity() {
            @Override
            public ServerHandshake nativeHandshake() {
                return new RsaServerHandshake(authentication, Map.of(), channel -> new ApCodec(
                        SignedReplies.signer(authentication.identity().privateKey(), channel.transcript().hash())));
            }

            @Override
            public SeedReceiver seedSession() {
                return new RsaSeedReceiver(authentication, "ap") {
                    @Override
                    public void decodeFile(FrameReader in, int length, ByteSink sink) throws IOException {
                        SeedReceiver.copy(in, length, sink);
                    }
                };
            }
        };
    }
}

package dev.ferry.security.plain;

import dev.ferry.security.ClientSecurity;
import dev.ferry.security.HandshakeChannel;
import dev.ferry.security.HandshakeException;
import dev.ferry.security.SecurityContext;
import dev.ferry.security.SecurityPlugin;
import dev.ferry.security.SecuritySetupException;
import dev.ferry.security.SeedReceiver;
import dev.ferry.security.SeedSender;
import dev.ferry.security.ServerHandshake;
import dev.ferry.security.ServerSecurity;
import dev.ferry.security.SessionCodec;
import dev.ferry.security.TransparentCodec;
import dev.ferry.wire.FrameReader;
import dev.ferry.wire.FrameWriter;
import dev.ferry.wire.ReplyStatus;

import java.io.IOException;

/** {@code plain}: no authentication, no confidentiality, as the seed's ClientWithoutSecurity. */
public final class PlainPlugin implements SecurityPlugin {
    @Override
    public String id() {
        return "plain";
    }

    @Override
    public String description() {
        return "no security: anyone on the path can read, change or forge transfers (trusted networks only)";
    }

    @Override
    public ClientSecurity client(SecurityContext context) {
        return new ClientSecurity() {
            @Override
            public SessionCodec handshake(HandshakeChannel channel) {
                return PlainCodec.INSTANCE;
            }

            @Override
            public SeedSender seedSession(FrameReader in, FrameWriter out) {
                return content -> content;
            }
        };
    }

    @Override
    public ServerSecurity server(SecurityContext context) throws SecuritySetupException {
        if (context.settings().requireClientCertificate()) {
            // A client speaking plain (native or seed) proves nothing, so accepting plain would let
            // anyone past the client certificates the server requires.
            throw new SecuritySetupException("protocol plain cannot check client certificates, but"
                    + " ferry.server.require-client-certificate = true; take plain out of ferry.server.accept and"
                    + " ferry.security.protocol, or set require-client-certificate = false");
        }
        return new ServerSecurity() {
            @Override
            public ServerHandshake nativeHandshake() {
                return channel -> PlainCodec.INSTANCE;
            }

            @Override
            public SeedReceiver seedSession() {
                return new PlainSeedReceiver();
            }
        };
    }

    /** A seed ServerWithoutSecurity session: DATA is the raw file. */
    private static final class PlainSeedReceiver implements SeedReceiver {
        @Override
        public void onAuth(byte[] message, FrameWriter out) throws IOException {
            throw new HandshakeException("the client asked for authentication (AUTH) but this server runs"
                    + " protocol plain; set ferry.security.protocol to the client's protocol");
        }

        @Override
        public void onKey(byte[] wrapped) throws IOException {
            throw new HandshakeException("the client sent a session key (KEY) but this server runs protocol"
                    + " plain; set ferry.security.protocol to the client's protocol");
        }

        @Override
        public String dataRefusal() {
            return null;
        }

        @Override
        public void decodeFile(FrameReader in, int length, ByteSink sink) throws IOException {
            SeedReceiver.copy(in, length, sink);
        }
    }

    /** The identity codec: payloads and replies travel as they are. */
    private static final class PlainCodec extends TransparentCodec {
        static final PlainCodec INSTANCE = new PlainCodec();

        @Override
        public byte[] sealReply(ReplyStatus status, byte[] payload) {
            return payload;
        }

        @Override
        public byte[] openReply(ReplyStatus status, byte[] payload) {
            return payload;
        }
    }
}

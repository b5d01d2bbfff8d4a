package dev.ferry.security.cp2;

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
import dev.ferry.security.rsa.ClientAuthentication;
import dev.ferry.security.rsa.RsaOaep;
import dev.ferry.security.rsa.RsaSeedReceiver;
import dev.ferry.security.rsa.RsaServerHandshake;
import dev.ferry.security.rsa.ServerAuthentication;
import dev.ferry.wire.FrameReader;
import dev.ferry.wire.FrameWriter;
import dev.ferry.wire.Mode;
import dev.ferry.wire.ProtocolException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.util.Map;

/**
 * {@code cp2}: the server proves its identity; a session key wrapped with the server's RSA key
 * (and, in native sessions, an ephemeral X25519 agreement for forward secrecy) then encrypts
 * everything. Seed sessions use the original programs' Fernet tokens; native sessions AES-256-GCM.
 */
public final class Cp2Plugin implements SecurityPlugin {
    @Override
    public String id() {
        return "cp2";
    }

    @Override
    public String description() {
        return "server authenticated; files, names and acknowledgements encrypted with AES-256-GCM under a"
                + " forward-secret session key (recommended)";
    }

    @Override
    public ClientSecurity client(SecurityContext context) throws SecuritySetupException {
        ClientAuthentication authentication = ClientAuthentication.create(context.settings(), context.random());
        SecureRandom random = context.random();
        Cp2WarmUp.client(authentication.caKey(), random);
        return new ClientSecurity() {
            @Override
            public SessionCodec handshake(HandshakeChannel channel) throws IOException {
                PublicKey serverShare = Cp2KeyExchange.decodeShare(channel.helloAnswer().get(Cp2KeyExchange.SHARE));
                RSAPublicKey serverKey = authentication.authenticate(channel);
                byte[] secret = Cp2KeyExchange.newSecret(random);
                KeyPair own = X25519.generate(random);
                channel.out().writeFrame(Mode.KEY, Cp2KeyExchange.keyMessage(wrap(serverKey, secret), own.getPublic()));
                channel.out().flush();
                return Cp2KeyExchange.codec(secret, own, serverShare, channel.transcript().hash());
            }

            @Override
            public SeedSender seedSession(FrameReader in, FrameWriter out) throws IOException {
                RSAPublicKey serverKey = authentication.authenticateSeed(in, out);
                FernetKey key = FernetKey.generate(random);
                out.writeFrame(Mode.KEY, wrap(serverKey, key.encode().getBytes(StandardCharsets.US_ASCII)));
                out.flush();
                Fernet fernet = new Fernet(key);
                return content -> fernet.encrypt(content, random);
            }
        };
    }

    private static byte[] wrap(RSAPublicKey key, byte[] secret) throws IOException {
        try {
            return RsaOaep.encrypt(key, secret);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encrypt the session key to the server's key: " + e.getMessage(), e);
        }
    }

    @Override
    public ServerSecurity server(SecurityContext context) throws SecuritySetupException {
        ServerAuthentication authentication = ServerAuthentication.create(context.settings());
        SecureRandom random = context.random();
        Cp2WarmUp.server(authentication.identity().privateKey(), authentication.identity().publicKey(), random);
        return new ServerSecurity() {
            @Override
            public ServerHandshake nativeHandshake() {
                return handshake(authentication, X25519.generate(random));
            }

            @Override
            public SeedReceiver seedSession() {
                return new Cp2SeedReceiver(authentication);
            }
        };
    }

    private static byte[] unwrap(ServerAuthentication authentication, byte[] wrapped) throws HandshakeException {
        try {
            return RsaOaep.decrypt(authentication.identity().privateKey(), wrapped);
        } catch (GeneralSecurityException e) {
            throw new HandshakeException("the KEY does not decrypt with the server's key: " + e.getMessage(), e);
        }
    }

    /** One native cp2 handshake, server side: its own ephemeral X25519 key goes into the HELLO answer. */
    private static ServerHandshake handshake(ServerAuthentication authentication, KeyPair share) {
        return new RsaServerHandshake(authentication,
                Map.of(Cp2KeyExchange.SHARE, Cp2KeyExchange.encodeShare(share.getPublic())), channel -> {
                    Mode mode = channel.in().readMode();
                    if (mode != Mode.KEY) {
                        throw new ProtocolException("expected KEY in the cp2 handshake, got "
                                + (mode == null ? "end of stream" : mode));
                    }
                    byte[][] fields = Cp2KeyExchange.parseKeyMessage(channel.in().readPayload(Mode.KEY));
                    byte[] secret = unwrap(authentication, fields[0]);
                    if (secret.length != Cp2KeyExchange.SECRET_BYTES) {
                        throw new HandshakeException("the cp2 secret is " + secret.length + " bytes, expected "
                                + Cp2KeyExchange.SECRET_BYTES);
                    }
                    return Cp2KeyExchange.codec(secret, share, X25519.decode(fields[1]), channel.transcript().hash());
                });
    }

    /** A seed ...WithSecurityCP2 session: AUTH, KEY (a Fernet key), then each DATA one Fernet token. */
    private static final class Cp2SeedReceiver extends RsaSeedReceiver {
        private Fernet fernet;

        Cp2SeedReceiver(ServerAuthentication authentication) {
            super(authentication, "cp2");
        }

        @Override
        public void onKey(byte[] wrapped) throws IOException {
            byte[] text = unwrap(authentication(), wrapped);
            fernet = new Fernet(FernetKey.parse(new String(text, StandardCharsets.US_ASCII)));
        }

        @Override
        public long maxEncodedLength(long fileSize) {
            return Fernet.maxTokenLength(fileSize);
        }

        @Override
        protected String keyRefusal() {
            return fernet == null ? "KEY is required before DATA (cp2 encrypts every file)" : null;
        }

        @Override
        public void decodeFile(FrameReader in, int length, ByteSink sink) throws IOException {
            fernet.decrypt(new FrameBody(in, length), length, new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    sink.write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    sink.write(b, off, len);
                }
            });
        }
    }

    /** The payload of the current frame as a stream, never past its length. */
    private static final class FrameBody extends InputStream {
        private final FrameReader in;
        private int remaining;

        FrameBody(FrameReader in, int length) {
            this.in = in;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining == 0) {
                return -1;
            }
            int n = Math.min(len, remaining);
            in.readBody(b, off, n, "DATA");
            remaining -= n;
            return n;
        }
    }
}

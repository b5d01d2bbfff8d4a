package dev.ferry.security.cp1;

import dev.ferry.security.ClientSecurity;
import dev.ferry.security.HandshakeChannel;
import dev.ferry.security.SealException;
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
import java.security.interfaces.RSAPublicKey;
import java.util.Map;

/**
 * {@code cp1}: the server proves its identity, and every payload is encrypted to the server's RSA
 * key with RSA-OAEP, one chunk of k - 66 bytes at a time (as the seed's ...WithSecurityCP1).
 * Slow by nature: the server decrypts the chunks of a block in parallel on all cores.
 */
public final class Cp1Plugin implements SecurityPlugin {
    @Override
    public String id() {
        return "cp1";
    }

    @Override
    public String description() {
        return "server authenticated; files and names encrypted with RSA-OAEP per chunk (slow: about 0.15 MB/s"
                + " per core)";
    }

    @Override
    public ClientSecurity client(SecurityContext context) throws SecuritySetupException {
        ClientAuthentication authentication = ClientAuthentication.create(context.settings(), context.random());
        return new ClientSecurity() {
            @Override
            public SessionCodec handshake(HandshakeChannel channel) throws IOException {
                RSAPublicKey serverKey = authentication.authenticate(channel);
                return new Cp1Codec(new Cp1Chunks(null, serverKey, 1),
                        SignedReplies.verifier(serverKey, channel.transcript().hash()));
            }

            @Override
            public SeedSender seedSession(FrameReader in, FrameWriter out) throws IOException {
                Cp1Chunks chunks = new Cp1Chunks(null, authentication.authenticateSeed(in, out), 1);
                return content -> {
                    byte[] encoded = new byte[chunks.encodedLength(content.length)];
                    chunks.encode(content, 0, content.length, encoded);
                    return encoded;
                };
            }
        };
    }

    @Override
    public ServerSecurity server(SecurityContext context) throws SecuritySetupException {
        ServerAuthentication authentication = ServerAuthentication.create(context.settings());
        Cp1Chunks chunks = new Cp1Chunks(authentication.identity().privateKey(), null,
                Runtime.getRuntime().availableProcessors());
        return new ServerSecurity() {
            @Override
            public ServerHandshake nativeHandshake() {
                return new RsaServerHandshake(authentication, Map.of(), channel -> new Cp1Codec(chunks,
                        SignedReplies.signer(authentication.identity().privateKey(), channel.transcript().hash())));
            }

            @Override
            public SeedReceiver seedSession() {
                return new Cp1SeedReceiver(authentication, chunks);
            }
        };
    }

    /** A seed ...WithSecurityCP1 session: AUTH first, then each DATA a run of RSA-OAEP chunks. */
    private static final class Cp1SeedReceiver extends RsaSeedReceiver {
        /** Chunks decrypted per batch: enough to keep every core busy, bounded in memory. */
        private static final int BATCH_CHUNKS = 256;

        private final Cp1Chunks chunks;

        Cp1SeedReceiver(ServerAuthentication authentication, Cp1Chunks chunks) {
            super(authentication, "cp1");
            this.chunks = chunks;
        }

        @Override
        public long maxEncodedLength(long fileSize) {
            long chunkCount = (fileSize + chunks.chunkPlain() - 1) / chunks.chunkPlain();
            return chunkCount * chunks.chunkSize();
        }

        @Override
        public void decodeFile(FrameReader in, int length, ByteSink sink) throws IOException {
            int k = chunks.chunkSize();
            if (length % k != 0) {
                throw new SealException("cp1 DATA of " + length + " bytes is not a whole number of " + k
                        + "-byte RSA chunks");
            }
            byte[] sealed = new byte[Math.min(length, BATCH_CHUNKS * k)];
            byte[] plain = new byte[sealed.length / k * chunks.chunkPlain()];
            for (int remaining = length; remaining > 0; ) {
                int n = Math.min(sealed.length, remaining);
                in.readBody(sealed, 0, n, "DATA");
                sink.write(plain, 0, chunks.decode(sealed, 0, n, plain));
                remaining -= n;
            }
        }
    }
}

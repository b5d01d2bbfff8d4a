package dev.ferry.security.rsa;

import dev.ferry.config.SecuritySettings;
import dev.ferry.pki.CertificateCheckException;
import dev.ferry.pki.CertificateValidator;
import dev.ferry.pki.Pem;
import dev.ferry.pki.PkiException;
import dev.ferry.security.HandshakeChannel;
import dev.ferry.security.HandshakeException;
import dev.ferry.security.SecuritySetupException;
import dev.ferry.wire.FrameWriter;
import dev.ferry.wire.Mode;
import dev.ferry.wire.ProtocolException;
import dev.ferry.wire.ReplyStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The server side of authentication for the RSA protocols (ap, cp1, cp2): proves the server's
 * identity to seed clients (AUTH answered in the seed layout) and native clients (AUTH bound to
 * the transcript, PROTOCOL.md 3.2), and checks client certificates when they are required
 * (CLIENT-AUTH, 3.2b). Built once per agent; thread-safe.
 */
public final class ServerAuthentication {
    private static final Logger log = LoggerFactory.getLogger(ServerAuthentication.class);
    static final byte[] SERVER_DOMAIN = "ferry/1 server-auth\0".getBytes(StandardCharsets.US_ASCII);
    static final byte[] CLIENT_DOMAIN = "ferry/1 client-auth\0".getBytes(StandardCharsets.US_ASCII);
    static final int NONCE_BYTES = 32;

    private final RsaIdentity identity;
    private final CertificateValidator clients;
    private final Set<String> allowedClients;

    ServerAuthentication(RsaIdentity identity, CertificateValidator clients, Set<String> allowedClients) {
        this.identity = identity;
        this.clients = clients;
        this.allowedClients = Set.copyOf(allowedClients);
    }

    /** Reads the server's key and certificate, and the client CA when client certificates are required. */
    public static ServerAuthentication create(SecuritySettings settings) throws SecuritySetupException {
        RsaIdentity identity = RsaIdentity.load(settings.serverCert(), "ferry.security.server-cert",
                settings.serverKey(), "ferry.security.server-key");
        CertificateValidator clients = null;
        if (settings.requireClientCertificate()) {
            try {
                List<X509Certificate> ca = Pem.readCertificates(settings.clientCa());
                clients = new CertificateValidator(ca.get(0), "ferry.server.client-ca", Clock.systemUTC(),
                        settings.minRsaBits());
            } catch (PkiException e) {
                throw new SecuritySetupException("ferry.server.client-ca = " + settings.clientCa() + ": "
                        + e.getMessage(), e);
            }
        }
        return new ServerAuthentication(identity, clients, new HashSet<>(settings.allowedClients()));
    }

    public RsaIdentity identity() {
        return identity;
    }

    /** Parameters for the HELLO answer: {@code client-auth=required} when clients must prove a certificate. */
    public Map<String, String> helloParameters() {
        return clients == null ? Map.of() : Map.of("client-auth", "required");
    }

    /**
     * Seed AUTH: {@code u64 length, RSA-PSS signature of the message, u64 length, the certificate PEM}.
     * Refused when client certificates are required: a seed client cannot present one, and every
     * seed protocol with AUTH needs it before DATA, so this closes the seed path to the inbox.
     */
    public void answerSeed(byte[] message, FrameWriter out) throws IOException {
        if (clients != null) {
            throw new HandshakeException("a seed client (the original programs' protocol) cannot present a client"
                    + " certificate, and this server requires one (ferry.server.require-client-certificate = true);"
                    + " use a Ferry client with ferry.security.client-cert");
        }
        byte[] signature = sign(message);
        byte[] pem = identity.chainPem();
        out.writeSized(signature, 0, signature.length);
        out.writeSized(pem, 0, pem.length);
    }

    private byte[] sign(byte[] message) throws IOException {
        try {
            return SeedSignatures.sign(identity.privateKey(), message);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot sign with the server key: " + e.getMessage(), e);
        }
    }

    /**
     * Native: reads AUTH and answers it with a signature over the transcript, then, when client
     * certificates are required, reads CLIENT-AUTH and answers with a REPLY.
     *
     * @return the client's certificate name, or null when clients do not authenticate
     */
    public String authenticate(HandshakeChannel channel) throws IOException {
        expect(channel, Mode.AUTH);
        byte[] nonce = channel.in().readPayload(Mode.AUTH);
        if (nonce.length != NONCE_BYTES) {
            throw new ProtocolException("AUTH carries " + nonce.length + " bytes; a native AUTH is a "
                    + NONCE_BYTES + "-byte nonce");
        }
        byte[] signature = sign(concat(SERVER_DOMAIN, channel.transcript().hash()));
        byte[] pem = identity.chainPem();
        channel.out().writeSized(signature, 0, signature.length);
        channel.out().writeSized(pem, 0, pem.length);
        channel.out().flush();
        return clients == null ? null : checkClient(channel);
    }

    private String checkClient(HandshakeChannel channel) throws IOException {
        byte[] transcript = channel.transcript().hash();
        expect(channel, Mode.CLIENT_AUTH);
        ByteBuffer m2 = ByteBuffer.wrap(channel.in().readPayload(Mode.CLIENT_AUTH));
        byte[] pem = field(m2, "client certificate");
        byte[] signature = field(m2, "client signature");
        try {
            List<X509Certificate> chain = Pem.readCertificates(pem);
            String name = clients.validateClient(chain, allowedClients);
            if (!SeedSignatures.verify(chain.get(0).getPublicKey(), concat(CLIENT_DOMAIN, transcript), signature)) {
                throw new CertificateCheckException("the client's CLIENT-AUTH signature does not verify with its"
                        + " certificate's key");
            }
            channel.out().writeReply(ReplyStatus.OK, ("client=" + name).getBytes(StandardCharsets.UTF_8));
            channel.out().flush();
            log.debug("client authenticated name={}", name);
            return name;
        } catch (PkiException | GeneralSecurityException e) {
            channel.out().writeReply(ReplyStatus.REFUSED, ("client certificate refused: " + e.getMessage())
                    .getBytes(StandardCharsets.UTF_8));
            channel.out().flush();
            throw new HandshakeException("client certificate refused: " + e.getMessage(), e);
        }
    }

    static void expect(HandshakeChannel channel, Mode expected) throws IOException {
        Mode mode = channel.in().readMode();
        if (mode != expected) {
            throw new ProtocolException("expected " + expected + " in the handshake, got "
                    + (mode == null ? "end of stream" : mode));
        }
    }

    static byte[] field(ByteBuffer in, String what) throws ProtocolException {
        if (in.remaining() < 8) {
            throw new ProtocolException("CLIENT-AUTH ends before the " + what);
        }
        long length = in.getLong();
        if (length < 0 || length > in.remaining()) {
            throw new ProtocolException("CLIENT-AUTH " + what + " length " + length + " exceeds the frame");
        }
        byte[] bytes = new byte[(int) length];
        in.get(bytes);
        return bytes;
    }

    static byte[] concat(byte[] a, byte[] b) {
        return ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
    }
}

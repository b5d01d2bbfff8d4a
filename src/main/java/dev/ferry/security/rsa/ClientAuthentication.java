package dev.ferry.security.rsa;

import dev.ferry.config.SecuritySettings;
import dev.ferry.pki.CertificateValidator;
import dev.ferry.pki.Pem;
import dev.ferry.pki.PkiException;
import dev.ferry.security.HandshakeChannel;
import dev.ferry.security.HandshakeException;
import dev.ferry.security.SecuritySetupException;
import dev.ferry.wire.FrameReader;
import dev.ferry.wire.FrameWriter;
import dev.ferry.wire.Mode;
import dev.ferry.wire.Reply;
import dev.ferry.wire.ReplyStatus;

import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * The client side of authentication for the RSA protocols: checks that the server holds a
 * certificate from the configured CA for the expected name and the matching key (PROTOCOL.md
 * 3.2; in compat mode, the seed exchange of section 2), and proves the client's own certificate
 * when the server asks (3.2b). Built once per agent; thread-safe.
 */
public final class ClientAuthentication {
    private static final int MAX_SIGNATURE = 4096;
    private static final int MAX_CHAIN = 64 * 1024;
    private static final byte[] SEED_TEXT = "ferry compat client".getBytes(StandardCharsets.UTF_8);

    private final CertificateValidator servers;
    private final String expectedName;
    private final RsaIdentity identity;
    private final SecureRandom random;

    ClientAuthentication(CertificateValidator servers, String expectedName, RsaIdentity identity, SecureRandom random) {
        this.servers = Objects.requireNonNull(servers, "servers");
        this.expectedName = Objects.requireNonNull(expectedName, "expectedName");
        this.identity = identity;
        this.random = Objects.requireNonNull(random, "random");
    }

    /** Reads the CA certificate and, when configured, the client's own key and certificate. */
    public static ClientAuthentication create(SecuritySettings settings, SecureRandom random)
            throws SecuritySetupException {
        CertificateValidator validator;
        try {
            List<X509Certificate> ca = Pem.readCertificates(settings.caCert());
            validator = new CertificateValidator(ca.get(0), "ferry.security.ca-cert", Clock.systemUTC(),
                    settings.minRsaBits());
        } catch (PkiException e) {
            throw new SecuritySetupException("ferry.security.ca-cert = " + settings.caCert() + ": " + e.getMessage()
                    + " (copy the server's ca.crt here, or make one with: ferry certs init)", e);
        }
        RsaIdentity identity = null;
        if (settings.clientCert().isPresent() && settings.clientKey().isPresent()) {
            identity = RsaIdentity.load(settings.clientCert().get(), "ferry.security.client-cert",
                    settings.clientKey().get(), "ferry.security.client-key");
        }
        return new ClientAuthentication(validator, settings.expectedServerName(), identity, random);
    }

    /**
     * Native: sends AUTH, checks the server's certificate and its signature over the transcript,
     * then proves the client's certificate if the HELLO answer said {@code client-auth=required}.
     *
     * @return the server's public key, for the protocols that encrypt to it
     */
    public RSAPublicKey authenticate(HandshakeChannel channel) throws IOException {
        byte[] nonce = new byte[ServerAuthentication.NONCE_BYTES];
        random.nextBytes(nonce);
        channel.out().writeFrame(Mode.AUTH, nonce);
        channel.out().flush();
        byte[] signed = ServerAuthentication.concat(ServerAuthentication.SERVER_DOMAIN, channel.transcript().hash());
        RSAPublicKey serverKey = checkServer(channel.in(), signed);
        if ("required".equals(channel.helloAnswer().get("client-auth"))) {
            prove(channel);
        }
        return serverKey;
    }

    /** Compat: the seed AUTH exchange with an original server; returns its public key. */
    public RSAPublicKey authenticateSeed(FrameReader in, FrameWriter out) throws IOException {
        byte[] message = new byte[16 + SEED_TEXT.length];
        random.nextBytes(message);
        System.arraycopy(SEED_TEXT, 0, message, 16, SEED_TEXT.length);
        out.writeFrame(Mode.AUTH, message);
        out.flush();
        return checkServer(in, message);
    }

    private RSAPublicKey checkServer(FrameReader in, byte[] signed) throws IOException {
        byte[] signature = in.readSized("AUTH signature", MAX_SIGNATURE);
        byte[] pem = in.readSized("AUTH certificate", MAX_CHAIN);
        try {
            X509Certificate leaf = servers.validateServer(Pem.readCertificates(pem), expectedName);
            if (!(leaf.getPublicKey() instanceof RSAPublicKey key)) {
                throw new HandshakeException("the server's certificate holds a " + leaf.getPublicKey().getAlgorithm()
                        + " key; this protocol needs RSA");
            }
            if (!SeedSignatures.verify(key, signed, signature)) {
                throw new HandshakeException("the server's AUTH signature does not verify with the key of its"
                        + " certificate " + leaf.getSubjectX500Principal().getName()
                        + ": it does not hold the certificate's private key, or the handshake was altered");
            }
            return key;
        } catch (PkiException e) {
            throw new HandshakeException("server certificate refused: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new HandshakeException("the server's AUTH signature cannot be checked: " + e.getMessage(), e);
        }
    }

    private void prove(HandshakeChannel channel) throws IOException {
        if (identity == null) {
            throw new HandshakeException("the server requires a client certificate; set ferry.security.client-cert"
                    + " and ferry.security.client-key (make them on the CA host with: ferry certs client NAME)");
        }
        byte[] signed = ServerAuthentication.concat(ServerAuthentication.CLIENT_DOMAIN, channel.transcript().hash());
        byte[] signature;
        try {
            signature = SeedSignatures.sign(identity.privateKey(), signed);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot sign with the client key: " + e.getMessage(), e);
        }
        byte[] pem = identity.chainPem();
        ByteArrayOutputStream m2 = new ByteArrayOutputStream();
        m2.writeBytes(ByteBuffer.allocate(8).putLong(pem.length).array());
        m2.writeBytes(pem);
        m2.writeBytes(ByteBuffer.allocate(8).putLong(signature.length).array());
        m2.writeBytes(signature);
        channel.out().writeFrame(Mode.CLIENT_AUTH, m2.toByteArray());
        channel.out().flush();
        Reply reply = channel.in().readReply(MAX_SIGNATURE);
        if (reply.status() != ReplyStatus.OK) {
            throw new HandshakeException("the server refused this client's certificate: " + reply.text());
        }
    }
}

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
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

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
    private final Clock clock;
    // The last server chain that passed validation, byte for byte as received: the same chain is
    // not parsed and path-checked again while every certificate in it (and the CA) is within its
    // validity. The signature over each session's transcript is always checked.
    private final AtomicReference<ValidChain> lastServerChain = new AtomicReference<>();

    /** A server chain that passed validation, and until when that result holds. */
    private record ValidChain(byte[] pem, RSAPublicKey key, Instant notBefore, Instant notAfter) {
        boolean covers(byte[] received, Instant now) {
            return Arrays.equals(pem, received) && !now.isBefore(notBefore) && !now.isAfter(notAfter);
        }
    }

    ClientAuthentication(CertificateValidator servers, String expectedName, RsaIdentity identity, SecureRandom random) {
        this(servers, expectedName, identity, random, Clock.systemUTC());
    }

    /** @param clock the validator's clock, for how long a validated chain is taken as valid */
    ClientAuthentication(CertificateValidator servers, String expectedName, RsaIdentity identity, SecureRandom random,
                         Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
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
        return new ClientAuthentication(validator, settings.expectedServerName(), identity, random, Clock.systemUTC());
    }

    /** The configured CA's public key. */
    public PublicKey caKey() {
        return servers.trustAnchor().getPublicKey();
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
            Instant now = clock.instant();
            ValidChain known = lastServerChain.get();
            ValidChain chain = known != null && known.covers(pem, now) ? known : validate(pem);
            if (!SeedSignatures.verify(chain.key(), signed, signature)) {
                throw new HandshakeException("the server's AUTH signature does not verify with the key of its"
                        + " certificate " + Pem.readCertificates(pem).get(0).getSubjectX500Principal().getName()
                        + ": it does not hold the certificate's private key, or the handshake was altered");
            }
            if (chain != known) {
                lastServerChain.set(chain);
            }
            return chain.key();
        } catch (PkiException e) {
            throw new HandshakeException("server certificate refused: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new HandshakeException("the server's AUTH signature cannot be checked: " + e.getMessage(), e);
        }
    }

    private ValidChain validate(byte[] pem) throws PkiException, HandshakeException {
        List<X509Certificate> chain = Pem.readCertificates(pem);
        X509Certificate leaf = servers.validateServer(chain, expectedName);
        if (!(leaf.getPublicKey() instanceof RSAPublicKey key)) {
            throw new HandshakeException("the server's certificate holds a " + leaf.getPublicKey().getAlgorithm()
                    + " key; this protocol needs RSA");
        }
        Instant notBefore = servers.trustAnchor().getNotBefore().toInstant();
        Instant notAfter = servers.trustAnchor().getNotAfter().toInstant();
        for (X509Certificate certificate : chain) {
            Instant from = certificate.getNotBefore().toInstant();
            Instant until = certificate.getNotAfter().toInstant();
            notBefore = from.isAfter(notBefore) ? from : notBefore;
            notAfter = until.isBefore(notAfter) ? until : notAfter;
        }
        return new ValidChain(pem.clone(), key, notBefore, notAfter);
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

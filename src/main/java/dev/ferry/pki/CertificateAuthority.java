package dev.ferry.pki;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A certificate authority that issues Ferry certificates: for {@code ferry certs}, for tests, and
 * for {@code ferry local}'s first run. Holds the CA's certificate and private key; immutable and
 * thread-safe. Certificates it issues start one hour in the past (so a peer whose clock is a little
 * behind accepts a fresh certificate) and end no later than the CA itself.
 */
public final class CertificateAuthority {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateAuthority.class);
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final int MIN_CA_BITS = 2048;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey privateKey;
    private final List<X509Certificate> intermediates;

    private CertificateAuthority(X509Certificate certificate, PrivateKey privateKey,
                                 List<X509Certificate> intermediates) {
        this.certificate = Objects.requireNonNull(certificate, "certificate");
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        this.intermediates = List.copyOf(intermediates);
    }

    /**
     * A new self-signed root CA: basicConstraints CA:true and keyUsage keyCertSign|cRLSign (both
     * critical), a subject key identifier, and a fresh RSA key.
     */
    public static CertificateAuthority create(String commonName, int rsaBits, Duration validity) throws PkiException {
        checkCaBits(rsaBits);
        checkValidity(validity);
        KeyPair keys = rsaKeyPair(rsaBits);
        Instant now = Instant.now();
        X509Certificate certificate = CertificateSigner.sign(null, keys.getPrivate(), keys.getPublic(), commonName,
                List.of(), now.minus(BACKDATE), now.plus(validity), CertificateSigner.Kind.CA, null);
        LOG.debug("created CA subject={} bits={} notAfter={}", CertificateNames.describe(certificate), rsaBits,
                certificate.getNotAfter().toInstant());
        return new CertificateAuthority(certificate, keys.getPrivate(), List.of());
    }

    /**
     * Loads a CA from its certificate file (the CA's certificate first; for an intermediate CA,
     * the certificates above it may follow) and its private key file, and checks that they belong
     * together and that the certificate is a CA.
     */
    public static CertificateAuthority load(Path caCert, Path caKey) throws PkiException {
        List<X509Certificate> certificates = Pem.readCertificates(caCert);
        PrivateKey key = Pem.readPrivateKey(caKey);
        X509Certificate ca = certificates.get(0);
        String described = "certificate " + CertificateNames.describe(ca) + " in " + caCert;
        if (ca.getBasicConstraints() < 0) {
            throw new PkiException(described + " is not a CA certificate (it lacks basicConstraints CA:TRUE);"
                    + " give the CA's certificate (ca.crt), not a server's or a client's");
        }
        boolean[] usage = ca.getKeyUsage();
        if (usage != null && !usage[5]) {
            throw new PkiException(described + " has key usage without keyCertSign, so it cannot issue certificates");
        }
        if (!belongTogether(key, ca.getPublicKey())) {
            throw new PkiException("the private key " + caKey + " does not belong to the CA " + described
                    + " (their public keys differ); give the key the CA certificate was made with");
        }
        List<X509Certificate> above = new ArrayList<>();
        if (!ca.getSubjectX500Principal().equals(ca.getIssuerX500Principal())) {
            for (X509Certificate parent : certificates.subList(1, certificates.size())) {
                // The root is the peer's trust anchor; chains carry only the certificates below it.
                if (!parent.getSubjectX500Principal().equals(parent.getIssuerX500Principal())) {
                    above.add(parent);
                }
            }
            above.add(0, ca);
        }
        return new CertificateAuthority(ca, key, above);
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    /**
     * The certificates a peer sends after a leaf issued by this CA: empty for a root CA; this
     * CA's certificate and those above it (without the root) for an intermediate CA.
     */
    public List<X509Certificate> intermediates() {
        return intermediates;
    }

    /**
     * A server certificate: subjectAltName with every name (DNS names, and IP addresses for IPv4
     * and IPv6 literals), CN = the first name, keyUsage digitalSignature|keyEncipherment, extended
     * key usage serverAuth, authority key identifier, random serial.
     */
    public X509Certificate issueServer(PublicKey key, List<String> names, Duration validity) throws PkiException {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("a server certificate needs at least one name");
        }
        for (String name : names) {
            HostNames.checkServerName(name);
        }
        Instant now = Instant.now();
        return issue(key, names.get(0), names, notBefore(now), notAfter(now, validity), true, null);
    }

    /** A client certificate: CN = name, keyUsage digitalSignature, extended key usage clientAuth. */
    public X509Certificate issueClient(PublicKey key, String name, Duration validity) throws PkiException {
        Instant now = Instant.now();
        return issue(key, name, List.of(), notBefore(now), notAfter(now, validity), false, null);
    }

    /**
     * A server ({@code server}) or client certificate with explicit dates, for tests of expiry and
     * of key usage.
     *
     * @param sanNames names for the subjectAltName; empty leaves the extension out
     * @param keyUsageOverride key usage bits indexed as in {@link X509Certificate#getKeyUsage()},
     *        or null for the default of the kind; all false leaves the extension out
     */
    public X509Certificate issue(PublicKey key, String commonName, List<String> sanNames, Instant notBefore,
                                 Instant notAfter, boolean server, boolean[] keyUsageOverride) throws PkiException {
        X509Certificate issued = CertificateSigner.sign(certificate, privateKey, key, commonName, sanNames, notBefore,
                notAfter, server ? CertificateSigner.Kind.SERVER : CertificateSigner.Kind.CLIENT, keyUsageOverride);
        LOG.debug("issued certificate subject={} issuer={} serial={} notAfter={}", CertificateNames.describe(issued),
                CertificateNames.describe(certificate), issued.getSerialNumber().toString(16),
                issued.getNotAfter().toInstant());
        return issued;
    }

    /** An intermediate CA under this one, with its own fresh RSA key. */
    public CertificateAuthority issueIntermediate(String commonName, int rsaBits, Duration validity)
            throws PkiException {
        checkCaBits(rsaBits);
        KeyPair keys = rsaKeyPair(rsaBits);
        Instant now = Instant.now();
        X509Certificate issued = CertificateSigner.sign(certificate, privateKey, keys.getPublic(), commonName,
                List.of(), notBefore(now), notAfter(now, validity), CertificateSigner.Kind.CA, null);
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(issued);
        chain.addAll(intermediates);
        return new CertificateAuthority(issued, keys.getPrivate(), chain);
    }

    /**
     * A fresh RSA key pair from the JDK's provider. Ferry uses 2048, 3072 or 4096 bits; smaller
     * sizes are accepted here only so tests can show that validation refuses them.
     */
    public static KeyPair rsaKeyPair(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits, RANDOM);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no RSA key generator", e);
        }
    }

    private Instant notBefore(Instant now) {
        Instant start = now.minus(BACKDATE);
        Instant caStart = certificate.getNotBefore().toInstant();
        return start.isBefore(caStart) ? caStart : start;
    }

    private Instant notAfter(Instant now, Duration validity) {
        checkValidity(validity);
        Instant end = now.plus(validity);
        Instant caEnd = certificate.getNotAfter().toInstant();
        return end.isAfter(caEnd) ? caEnd : end;
    }

    private static void checkValidity(Duration validity) {
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive, got " + validity);
        }
    }

    private static void checkCaBits(int rsaBits) {
        if (rsaBits < MIN_CA_BITS) {
            throw new IllegalArgumentException("a CA key of " + rsaBits + " bits is too weak; use 2048, 3072 or 4096");
        }
    }

    /** Signs a probe with the private key and verifies it with the public key. */
    private static boolean belongTogether(PrivateKey privateKey, PublicKey publicKey) throws PkiException {
        byte[] probe = "ferry CA key check".getBytes(StandardCharsets.US_ASCII);
        String algorithm = CertificateSigner.signatureAlgorithm(privateKey);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}

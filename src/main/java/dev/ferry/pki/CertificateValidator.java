package dev.ferry.pki;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.security.PublicKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Validates peer certificates against one configured CA, the trust anchor (PROTOCOL.md 3.2 and
 * 3.2b): a PKIX path from the leaf through the presented intermediates to the anchor, every
 * certificate within its validity at {@code clock.instant()}, RSA keys of at least
 * {@code minRsaBits}, a leaf whose key usage (if present) allows digitalSignature and whose
 * extended key usage (if present) allows the role, and the name. Each failure is a
 * {@link CertificateCheckException} saying what was seen and what was expected. Immutable and
 * thread-safe.
 */
public final class CertificateValidator {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateValidator.class);
    private static final String DEFAULT_CA_SETTING = "ferry.security.ca-cert";
    private static final String ALLOWED_CLIENTS_SETTING = "ferry.server.allowed-clients";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";
    private static final Map<String, String> PURPOSES = Map.of(
            SERVER_AUTH, "serverAuth", CLIENT_AUTH, "clientAuth", "1.3.6.1.5.5.7.3.3", "codeSigning",
            "1.3.6.1.5.5.7.3.4", "emailProtection", "1.3.6.1.5.5.7.3.8", "timeStamping",
            "1.3.6.1.5.5.7.3.9", "OCSPSigning", ANY_EXTENDED_KEY_USAGE, "anyExtendedKeyUsage");
    private static final String[] KEY_USAGES = {"digitalSignature", "nonRepudiation", "keyEncipherment",
            "dataEncipherment", "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"};

    private final X509Certificate trustAnchor;
    private final String anchorName;
    private final Clock clock;
    private final int minRsaBits;
    private final CertificatePath path;

    /** A validator whose messages name the CA setting {@code ferry.security.ca-cert}. */
    public CertificateValidator(X509Certificate trustAnchor, Clock clock, int minRsaBits) {
        this(trustAnchor, DEFAULT_CA_SETTING, clock, minRsaBits);
    }

    /**
     * @param caSetting the configuration key the anchor was read from, named in messages (a
     *        server's client CA may come from another key than the client's server CA)
     */
    public CertificateValidator(X509Certificate trustAnchor, String caSetting, Clock clock, int minRsaBits) {
        this.trustAnchor = Objects.requireNonNull(trustAnchor, "trustAnchor");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (minRsaBits < 1) {
            throw new IllegalArgumentException("minRsaBits must be positive, got " + minRsaBits);
        }
        this.minRsaBits = minRsaBits;
        this.anchorName = "the configured CA " + CertificateNames.describe(trustAnchor)
                + " (" + Objects.requireNonNull(caSetting, "caSetting") + ")";
        this.path = new CertificatePath(trustAnchor, anchorName);
    }

    public X509Certificate trustAnchor() {
        return trustAnchor;
    }

    /**
     * The check a client makes of the server's chain (leaf first). {@code expectedName} must match
     * a subjectAltName DNS name (ignoring case; one left-most wildcard label allowed) or, for an IP
     * literal, a subjectAltName IP address; the CN counts only when there is no subjectAltName.
     *
     * @return the leaf
     */
    public X509Certificate validateServer(List<X509Certificate> chain, String expectedName)
            throws CertificateCheckException {
        Objects.requireNonNull(expectedName, "expectedName");
        X509Certificate leaf = validateChain(chain, SERVER_AUTH, "a server certificate (issue one with"
                + " ferry certs init)");
        checkServerName(leaf, expectedName);
        LOG.debug("server certificate accepted subject={} name={}", CertificateNames.describe(leaf), expectedName);
        return leaf;
    }

    /**
     * The check a server makes of a client's chain. An empty {@code allowedNames} accepts any
     * client the CA signed; otherwise the subject CN or a subjectAltName DNS name must be in it
     * (ignoring case).
     *
     * @return the client's name: its CN (or, without a CN, its first DNS name)
     */
    public String validateClient(List<X509Certificate> chain, Set<String> allowedNames)
            throws CertificateCheckException {
        Objects.requireNonNull(allowedNames, "allowedNames");
        X509Certificate leaf = validateChain(chain, CLIENT_AUTH, "a client certificate (issue one with"
                + " ferry certs client NAME)");
        List<String> names = new ArrayList<>();
        CertificateNames.commonName(leaf).ifPresent(names::add);
        names.addAll(CertificateNames.dnsNames(leaf));
        if (names.isEmpty()) {
            throw new CertificateCheckException("client certificate " + CertificateNames.describe(leaf)
                    + " has no CN and no DNS subjectAltName, so it names no client");
        }
        String name = names.get(0);
        if (!name.equals(CertificateNames.printable(name))) {
            throw new CertificateCheckException("client certificate name '" + CertificateNames.printable(name)
                    + "' contains control characters; issue one with a plain name (ferry certs client NAME)");
        }
        if (!allowedNames.isEmpty() && names.stream().noneMatch(n -> containsIgnoringCase(allowedNames, n))) {
            throw new CertificateCheckException("client " + CertificateNames.describe(leaf) + " is not in "
                    + ALLOWED_CLIENTS_SETTING + " " + new TreeSet<>(allowedNames));
        }
        LOG.debug("client certificate accepted client={}", name);
        return name;
    }

    private X509Certificate validateChain(List<X509Certificate> chain, String purpose, String role)
            throws CertificateCheckException {
        Objects.requireNonNull(chain, "chain");
        List<X509Certificate> certificates = path.build(chain);
        Instant now = clock.instant();
        for (X509Certificate certificate : certificates) {
            checkDates(certificate, "certificate " + CertificateNames.describe(certificate), now);
        }
        checkDates(trustAnchor, anchorName, now);
        for (X509Certificate certificate : certificates) {
            checkKeySize(certificate);
        }
        path.validate(certificates, now);
        X509Certificate leaf = certificates.get(0);
        checkKeyUsage(leaf);
        checkExtendedKeyUsage(leaf, purpose, role);
        return leaf;
    }

    private static void checkDates(X509Certificate certificate, String what, Instant now)
            throws CertificateCheckException {
        Instant notAfter = certificate.getNotAfter().toInstant();
        Instant notBefore = certificate.getNotBefore().toInstant();
        String shownNow = now.truncatedTo(ChronoUnit.SECONDS).toString();
        if (now.isAfter(notAfter)) {
            throw new CertificateCheckException(what + " expired on " + notAfter + " (now " + shownNow
                    + "); issue a new certificate (ferry certs)");
        }
        if (now.isBefore(notBefore)) {
            throw new CertificateCheckException(what + " is not yet valid until " + notBefore + " (now " + shownNow
                    + "); check the clocks of both machines");
        }
    }

    private void checkKeySize(X509Certificate certificate) throws CertificateCheckException {
        PublicKey key = certificate.getPublicKey();
        if (key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < minRsaBits) {
            throw new CertificateCheckException("certificate " + CertificateNames.describe(certificate) + " has a "
                    + rsa.getModulus().bitLength() + "-bit RSA key; at least " + minRsaBits + " bits are required");
        }
    }

    private static void checkKeyUsage(X509Certificate leaf) throws CertificateCheckException {
        boolean[] usage = leaf.getKeyUsage();
        if (usage == null || usage[0]) {
            return;
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < usage.length && i < KEY_USAGES.length; i++) {
            if (usage[i]) {
                names.add(KEY_USAGES[i]);
            }
        }
        throw new CertificateCheckException("certificate " + CertificateNames.describe(leaf) + " has key usage "
                + names + " without digitalSignature, so it cannot sign the handshake");
    }

    private static void checkExtendedKeyUsage(X509Certificate leaf, String purpose, String role)
            throws CertificateCheckException {
        List<String> usages;
        try {
            usages = leaf.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw new CertificateCheckException("certificate " + CertificateNames.describe(leaf)
                    + " has a malformed extended key usage extension: " + e.getMessage(), e);
        }
        if (usages == null || usages.contains(purpose) || usages.contains(ANY_EXTENDED_KEY_USAGE)) {
            return;
        }
        List<String> names = usages.stream().map(oid -> PURPOSES.getOrDefault(oid, oid)).toList();
        throw new CertificateCheckException("certificate " + CertificateNames.describe(leaf)
                + " has extended key usage " + names + " without " + PURPOSES.get(purpose) + ", so it is not "
                + role);
    }

    private static void checkServerName(X509Certificate leaf, String expectedName) throws CertificateCheckException {
        String host = HostNames.normalize(expectedName);
        Optional<InetAddress> address = HostNames.ipAddress(host);
        boolean hasAltNames = CertificateNames.hasSubjectAltNames(leaf);
        Optional<String> cn = CertificateNames.commonName(leaf);
        boolean matches;
        if (hasAltNames) {
            matches = address.isPresent()
                    ? CertificateNames.ipAddresses(leaf).stream().anyMatch(a -> sameAddress(a, address.get()))
                    : CertificateNames.dnsNames(leaf).stream().anyMatch(pattern -> HostNames.matchesDns(pattern, host));
        } else {
            matches = cn.isPresent() && (address.isPresent()
                    ? HostNames.ipAddress(cn.get()).filter(a -> sameAddress(a, address.get())).isPresent()
                    : HostNames.matchesDns(cn.get(), host));
        }
        if (matches) {
            return;
        }
        List<String> names = hasAltNames ? CertificateNames.altNames(leaf)
                : cn.map(c -> List.of(CertificateNames.printable(c))).orElse(List.of());
        String shown = CertificateNames.printable(expectedName);
        String cnNote = hasAltNames && cn.isPresent() && HostNames.normalize(cn.get()).equals(host)
                ? " (its CN " + shown + " does not count, because the certificate has subjectAltNames)" : "";
        throw new CertificateCheckException("server name '" + shown + "' is not in the certificate's names "
                + names + cnNote + "; set ferry.security.expected-server-name or issue a certificate for that name"
                + " (ferry certs init --name " + shown + ")");
    }

    private static boolean sameAddress(InetAddress a, InetAddress b) {
        return Arrays.equals(a.getAddress(), b.getAddress());
    }

    private static boolean containsIgnoringCase(Set<String> names, String name) {
        return names.stream().anyMatch(name::equalsIgnoreCase);
    }
}

package dev.ferry.pki;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Orders a presented chain into a path from the leaf up to the trust anchor, with a message that
 * says which link is missing, then has the JDK's PKIX validator (revocation disabled) check the
 * path. The first step exists for its messages: PKIX alone would only say "no path found".
 */
final class CertificatePath {
    /** More certificates than any sane chain, few enough that building a path stays cheap. */
    static final int MAX_CHAIN_LENGTH = 10;

    private final X509Certificate anchor;
    private final String anchorName;

    /**
     * @param anchorName how messages refer to the anchor, e.g.
     *        {@code the configured CA CN=Ferry CA (ferry.security.ca-cert)}
     */
    CertificatePath(X509Certificate anchor, String anchorName) {
        this.anchor = anchor;
        this.anchorName = anchorName;
    }

    /**
     * The path: the leaf (the first presented certificate), then each issuer found among the
     * other presented certificates, up to but without the anchor. Presented certificates that are
     * not on the path are ignored, as in TLS; so are copies of the anchor.
     */
    List<X509Certificate> build(List<X509Certificate> presented) throws CertificateCheckException {
        if (presented.isEmpty()) {
            throw new CertificateCheckException("the peer presented no certificate");
        }
        if (presented.size() > MAX_CHAIN_LENGTH) {
            throw new CertificateCheckException("the peer presented " + presented.size()
                    + " certificates; at most " + MAX_CHAIN_LENGTH + " are accepted");
        }
        X509Certificate leaf = presented.get(0);
        if (leaf.equals(anchor)) {
            throw new CertificateCheckException("the peer presented " + anchorName
                    + " itself instead of a certificate issued by it; give the peer its own certificate"
                    + " (ferry certs init / ferry certs client NAME)");
        }
        List<X509Certificate> remaining = new ArrayList<>(presented.subList(1, presented.size()));
        remaining.removeIf(anchor::equals);
        List<X509Certificate> path = new ArrayList<>();
        path.add(leaf);
        X509Certificate current = leaf;
        while (!issuedBy(current, anchor)) {
            X509Certificate issuer = null;
            for (X509Certificate candidate : remaining) {
                if (issuedBy(current, candidate)) {
                    issuer = candidate;
                    break;
                }
            }
            if (issuer == null) {
                throw notIssuedByAnchor(current, presented);
            }
            remaining.remove(issuer);
            path.add(issuer);
            current = issuer;
        }
        return List.copyOf(path);
    }

    /** Runs PKIX over a path from {@link #build} at the given time. */
    void validate(List<X509Certificate> path, Instant now) throws CertificateCheckException {
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(now));
            CertPathValidator.getInstance("PKIX").validate(certPath, parameters);
        } catch (CertPathValidatorException e) {
            int index = e.getIndex();
            String where = index >= 0 && index < path.size()
                    ? " at certificate " + CertificateNames.describe(path.get(index)) : "";
            throw new CertificateCheckException("the chain " + CertificateNames.describeChain(path)
                    + " does not validate against " + anchorName + where + ": " + e.getMessage(), e);
        } catch (CertificateException | NoSuchAlgorithmException | InvalidAlgorithmParameterException e) {
            throw new IllegalStateException("the JDK's PKIX validator is not usable", e);
        }
    }

    private CertificateCheckException notIssuedByAnchor(X509Certificate current, List<X509Certificate> presented) {
        String chain = CertificateNames.describeChain(presented).toString();
        String issuer = CertificateNames.describe(current.getIssuerX500Principal());
        if (current.getIssuerX500Principal().equals(anchor.getSubjectX500Principal())) {
            return new CertificateCheckException("certificate " + CertificateNames.describe(current) + " names "
                    + anchorName + " as its issuer, but its signature does not verify with that CA's key:"
                    + " another CA with the same name issued it; the chain presented: " + chain);
        }
        return new CertificateCheckException("certificate " + CertificateNames.describe(current)
                + " is not signed by " + anchorName + "; the chain presented: " + chain
                + " (if " + issuer + " is an intermediate CA under it, the peer must send that CA's certificate"
                + " after its own)");
    }

    private static boolean issuedBy(X509Certificate certificate, X509Certificate issuer) {
        if (!certificate.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return false;
        }
        try {
            certificate.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}

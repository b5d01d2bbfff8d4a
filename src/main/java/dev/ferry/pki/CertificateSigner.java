package dev.ferry.pki;

import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;

/**
 * Builds and signs one X.509 v3 certificate. Bouncy Castle assembles the structure; the signature
 * is made by the JDK's provider (no Bouncy Castle provider is registered).
 */
final class CertificateSigner {
    /** Bit positions of {@link X509Certificate#getKeyUsage()}, mapped to Bouncy Castle's flags. */
    private static final int[] KEY_USAGE_FLAGS = {
            KeyUsage.digitalSignature, KeyUsage.nonRepudiation, KeyUsage.keyEncipherment,
            KeyUsage.dataEncipherment, KeyUsage.keyAgreement, KeyUsage.keyCertSign, KeyUsage.cRLSign,
            KeyUsage.encipherOnly, KeyUsage.decipherOnly};
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What kind of certificate to make: its basic constraints, key usage and extended key usage. */
    enum Kind { CA, SERVER, CLIENT }

    private CertificateSigner() {
    }

    /**
     * @param issuer the issuing CA's certificate, or null for a self-signed certificate
     * @param keyUsage the bits as in {@link X509Certificate#getKeyUsage()}, or null for the kind's
     *        default; all false leaves the extension out
     */
    static X509Certificate sign(X509Certificate issuer, PrivateKey issuerKey, PublicKey subjectKey,
                                String commonName, List<String> altNames, Instant notBefore, Instant notAfter,
                                Kind kind, boolean[] keyUsage) throws PkiException {
        if (!notAfter.isAfter(notBefore)) {
            throw new IllegalArgumentException("notAfter " + notAfter + " is not after notBefore " + notBefore);
        }
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
        X500Name issuerName = issuer == null
                ? subject : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
        PublicKey authorityKey = issuer == null ? subjectKey : issuer.getPublicKey();
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName, serial(),
                    Date.from(notBefore), Date.from(notAfter), subject, subjectKey);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(kind == Kind.CA));
            int usage = keyUsage == null ? defaultKeyUsage(kind) : flags(keyUsage);
            if (usage != 0) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
            }
            if (kind != Kind.CA) {
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                        kind == Kind.SERVER ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
            }
            if (!altNames.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false, generalNames(altNames));
            }
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey));
            if (issuer != null) {
                builder.addExtension(Extension.authorityKeyIdentifier, false, authorityKeyId(issuer, utils));
            }
            var signer = new JcaContentSignerBuilder(signatureAlgorithm(issuerKey)).build(issuerKey);
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
            certificate.verify(authorityKey);
            return certificate;
        } catch (OperatorCreationException | CertificateException | IOException | NoSuchAlgorithmException e) {
            throw new PkiException("cannot issue a certificate for CN=" + CertificateNames.printable(commonName)
                    + " with a " + issuerKey.getAlgorithm() + " CA key: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new PkiException("the certificate issued for CN=" + CertificateNames.printable(commonName)
                    + " does not verify with the CA's public key: the CA key and certificate do not belong"
                    + " together", e);
        }
    }

    /** SHA-256 with the issuer key's algorithm. */
    static String signatureAlgorithm(PrivateKey key) throws PkiException {
        return switch (key.getAlgorithm().toUpperCase(Locale.ROOT)) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "ED25519", "EDDSA" -> "Ed25519";
            default -> throw new PkiException("a " + key.getAlgorithm() + " key cannot sign certificates;"
                    + " use an RSA key (ferry certs init makes one)");
        };
    }

    private static int defaultKeyUsage(Kind kind) {
        return switch (kind) {
            case CA -> KeyUsage.keyCertSign | KeyUsage.cRLSign;
            case SERVER -> KeyUsage.digitalSignature | KeyUsage.keyEncipherment;
            case CLIENT -> KeyUsage.digitalSignature;
        };
    }

    private static int flags(boolean[] bits) {
        int usage = 0;
        for (int i = 0; i < bits.length && i < KEY_USAGE_FLAGS.length; i++) {
            if (bits[i]) {
                usage |= KEY_USAGE_FLAGS[i];
            }
        }
        return usage;
    }

    private static GeneralNames generalNames(List<String> names) {
        GeneralName[] entries = new GeneralName[names.size()];
        for (int i = 0; i < entries.length; i++) {
            String name = names.get(i);
            entries[i] = HostNames.ipAddress(name)
                    .map(address -> new GeneralName(GeneralName.iPAddress, address.getHostAddress()))
                    .orElseGet(() -> new GeneralName(GeneralName.dNSName, HostNames.normalize(name)));
        }
        return new GeneralNames(entries);
    }

    /** The issuer's own key identifier when it has one (an openssl CA may use another method). */
    private static AuthorityKeyIdentifier authorityKeyId(X509Certificate issuer, JcaX509ExtensionUtils utils)
            throws IOException {
        byte[] extension = issuer.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (extension == null) {
            return utils.createAuthorityKeyIdentifier(issuer.getPublicKey());
        }
        byte[] keyId = SubjectKeyIdentifier.getInstance(
                ASN1OctetString.getInstance(extension).getOctets()).getKeyIdentifier();
        return new AuthorityKeyIdentifier(keyId);
    }

    /** A random positive serial of up to 127 bits (RFC 5280 4.1.2.2: at most 20 octets, unpredictable). */
    private static BigInteger serial() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        bytes[0] &= 0x7F;
        BigInteger serial = new BigInteger(1, bytes);
        return serial.signum() == 0 ? BigInteger.ONE : serial;
    }
}

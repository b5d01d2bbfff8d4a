package dev.ferry.pki;

import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.X509TrustedCertificateBlock;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * Reads and writes PEM files: private keys (PKCS#8 {@code PRIVATE KEY}, PKCS#1
 * {@code RSA PRIVATE KEY}, SEC1 {@code EC PRIVATE KEY}) and certificate chains (leaf first).
 * Bouncy Castle parses the PEM structure; the keys and certificates themselves are built by the
 * JDK's providers. Stateless and thread-safe; every failure names the file and the fix.
 */
public final class Pem {
    /** Larger than any key or chain file, small enough that a wrong path cannot exhaust memory. */
    static final int MAX_PEM_BYTES = 1024 * 1024;
    private static final String DATA = "the PEM data";

    private Pem() {
    }

    public static PrivateKey readPrivateKey(Path file) throws PkiException {
        String name = "private key file " + file;
        Object found = null;
        try (PEMParser parser = new PEMParser(new StringReader(readText(file, name)))) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof PrivateKeyInfo || object instanceof PEMKeyPair
                        || object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
                    found = object;
                    break;
                }
                found = found == null ? object : found;
            }
        } catch (IOException | RuntimeException e) {
            throw notPem(name, e);
        }
        if (found instanceof PKCS8EncryptedPrivateKeyInfo || found instanceof PEMEncryptedKeyPair) {
            throw new PkiException(name + " is encrypted; encrypted private keys are not supported; decrypt it with"
                    + " openssl pkey -in " + file + " -out " + file + ".plain (then chmod 600 it and use that file)");
        }
        try {
            if (found instanceof PrivateKeyInfo info) {
                return converter().getPrivateKey(info);
            }
            if (found instanceof PEMKeyPair pair) {
                return converter().getPrivateKey(pair.getPrivateKeyInfo());
            }
        } catch (IOException | RuntimeException e) {
            throw new PkiException(name + " holds a key the JDK cannot load (" + e.getMessage()
                    + "); use an RSA key of 2048 bits or more, e.g. from ferry certs init", e);
        }
        if (found instanceof X509CertificateHolder || found instanceof X509TrustedCertificateBlock) {
            throw new PkiException(name + " holds a certificate, not a private key; give the matching .key file");
        }
        throw new PkiException(name + " holds no private key; expected a PEM block '-----BEGIN PRIVATE KEY-----'"
                + " (PKCS#8) or '-----BEGIN RSA PRIVATE KEY-----' (PKCS#1)");
    }

    public static List<X509Certificate> readCertificates(Path file) throws PkiException {
        String name = "certificate file " + file;
        return parseCertificates(readText(file, name), name);
    }

    public static List<X509Certificate> readCertificates(byte[] pemText) throws PkiException {
        Objects.requireNonNull(pemText, "pemText");
        if (pemText.length > MAX_PEM_BYTES) {
            throw new PkiException(DATA + " is " + pemText.length + " bytes, over the limit of " + MAX_PEM_BYTES
                    + " bytes for a certificate chain");
        }
        return parseCertificates(new String(pemText, StandardCharsets.ISO_8859_1), DATA);
    }

    /** The chain as consecutive {@code CERTIFICATE} blocks, in list order. */
    public static String certificatesToPem(List<X509Certificate> chain) {
        StringBuilder out = new StringBuilder();
        for (X509Certificate certificate : chain) {
            try {
                out.append(block("CERTIFICATE", certificate.getEncoded()));
            } catch (CertificateEncodingException e) {
                throw new IllegalArgumentException("certificate " + CertificateNames.describe(certificate)
                        + " cannot be encoded", e);
            }
        }
        return out.toString();
    }

    /** The key as a PKCS#8 {@code PRIVATE KEY} block. */
    public static String privateKeyToPem(PrivateKey key) {
        byte[] encoded = key.getEncoded();
        if (encoded == null || !"PKCS#8".equals(key.getFormat())) {
            throw new IllegalArgumentException("a " + key.getAlgorithm() + " key in format " + key.getFormat()
                    + " cannot be written as PKCS#8");
        }
        return block("PRIVATE KEY", encoded);
    }

    /**
     * Writes a private key readable and writable by its owner only ({@code rw-------}, set at
     * creation on POSIX so the key is never readable by others, even briefly). Refuses to replace
     * an existing file unless {@code force}; a forced write replaces the file atomically.
     */
    public static void writePrivateKey(Path file, PrivateKey key, boolean force) throws IOException {
        PemFiles.write(file, privateKeyToPem(key).getBytes(StandardCharsets.US_ASCII), true, force);
    }

    /** Writes a chain with the default permissions; refuses to replace a file unless {@code force}. */
    public static void writeCertificates(Path file, List<X509Certificate> chain, boolean force) throws IOException {
        PemFiles.write(file, certificatesToPem(chain).getBytes(StandardCharsets.US_ASCII), false, force);
    }

    private static List<X509Certificate> parseCertificates(String text, String name) throws PkiException {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                // Other blocks (a key kept in the same file) are not certificates and are skipped.
                if (object instanceof X509CertificateHolder holder) {
                    certificates.add(converter.getCertificate(holder));
                } else if (object instanceof X509TrustedCertificateBlock trusted) {
                    certificates.add(converter.getCertificate(trusted.getCertificateHolder()));
                }
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            throw notPem(name, e);
        }
        if (certificates.isEmpty()) {
            throw new PkiException(name + " holds no certificate; expected one or more PEM blocks"
                    + " '-----BEGIN CERTIFICATE-----', the leaf first");
        }
        return List.copyOf(certificates);
    }

    private static String readText(Path file, String name) throws PkiException {
        try {
            long size = Files.size(file);
            if (size > MAX_PEM_BYTES) {
                throw new PkiException(name + " is " + size + " bytes, over the limit of " + MAX_PEM_BYTES
                        + " bytes for a PEM file; is it the right file?");
            }
            if (size == 0) {
                throw new PkiException(name + " is empty; expected PEM text (-----BEGIN ...-----)");
            }
            // ISO-8859-1 maps every byte, so a binary file is reported as "no PEM", not as a charset error.
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new PkiException(name + " does not exist; check the path or create it with ferry certs init", e);
        } catch (IOException e) {
            throw new PkiException("cannot read " + name + ": " + e, e);
        }
    }

    private static PkiException notPem(String name, Exception e) {
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (reason.contains("unrecognised object: OPENSSH PRIVATE KEY")) {
            return new PkiException(name + " holds an OpenSSH private key; convert it to PKCS#8 with"
                    + " ssh-keygen -p -m PKCS8 -f <file>", e);
        }
        return new PkiException(name + " is not valid PEM: " + CertificateNames.printable(reason)
                + "; expected '-----BEGIN ...-----' blocks of base64 as written by openssl or ferry certs", e);
    }

    private static JcaPEMKeyConverter converter() {
        // Names the JDK's KeyFactory knows, so no Bouncy Castle provider is needed.
        return new JcaPEMKeyConverter()
                .setAlgorithmMapping(X9ObjectIdentifiers.id_ecPublicKey, "EC")
                .setAlgorithmMapping(EdECObjectIdentifiers.id_X25519, "X25519")
                .setAlgorithmMapping(EdECObjectIdentifiers.id_X448, "X448")
                .setAlgorithmMapping(EdECObjectIdentifiers.id_Ed25519, "Ed25519")
                .setAlgorithmMapping(EdECObjectIdentifiers.id_Ed448, "Ed448");
    }

    private static String block(String type, byte[] der) {
        String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n";
    }
}

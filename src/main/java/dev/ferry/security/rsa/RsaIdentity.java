package dev.ferry.security.rsa;

import dev.ferry.pki.Pem;
import dev.ferry.pki.PkiException;
import dev.ferry.security.SecuritySetupException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Objects;

/**
 * An RSA private key and the certificate chain (leaf first) that names its public key, read once
 * from PEM files: the server's identity, or a client's. Immutable, thread-safe.
 */
public final class RsaIdentity {
    private final PrivateKey privateKey;
    private final List<X509Certificate> chain;
    private final byte[] chainPem;

    private RsaIdentity(PrivateKey privateKey, List<X509Certificate> chain, byte[] chainPem) {
        this.privateKey = privateKey;
        this.chain = List.copyOf(chain);
        this.chainPem = chainPem;
    }

    /**
     * Reads and checks a key and its chain.
     *
     * @param certSetting the setting the chain's path came from, for messages
     * @param keySetting the setting the key's path came from
     */
    public static RsaIdentity load(Path certFile, String certSetting, Path keyFile, String keySetting)
            throws SecuritySetupException {
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
        List<X509Certificate> chain;
        byte[] pem;
        PrivateKey key;
        try {
            pem = Files.readAllBytes(certFile);
            chain = Pem.readCertificates(pem);
        } catch (IOException | PkiException e) {
            throw new SecuritySetupException(certSetting + " = " + certFile + ": " + e.getMessage()
                    + " (make certificates with: ferry certs init)", e);
        }
        try {
            key = Pem.readPrivateKey(keyFile);
        } catch (PkiException e) {
            throw new SecuritySetupException(keySetting + " = " + keyFile + ": " + e.getMessage()
                    + " (make certificates with: ferry certs init)", e);
        }
        PublicKey leafKey = chain.get(0).getPublicKey();
        if (!(leafKey instanceof RSAPublicKey rsaPublic) || !"RSA".equals(key.getAlgorithm())) {
            throw new SecuritySetupException(certSetting + " = " + certFile + " holds a " + leafKey.getAlgorithm()
                    + " key; Ferry's protocols sign and encrypt with RSA, so the certificate needs an RSA key");
        }
        if (!matches(key, rsaPublic)) {
            throw new SecuritySetupException(keySetting + " = " + keyFile + " is not the private key of the certificate "
                    + chain.get(0).getSubjectX500Principal().getName() + " in " + certFile
                    + "; point both settings at files made together");
        }
        return new RsaIdentity(key, chain, pem);
    }

    private static boolean matches(PrivateKey key, RSAPublicKey publicKey) {
        if (key instanceof RSAPrivateCrtKey crt) {
            return crt.getModulus().equals(publicKey.getModulus())
                    && crt.getPublicExponent().equals(publicKey.getPublicExponent());
        }
        try {
            byte[] probe = "ferry key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            return SeedSignatures.verify(publicKey, probe, SeedSignatures.sign(key, probe));
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    /** The chain, leaf first. */
    public List<X509Certificate> chain() {
        return chain;
    }

    public RSAPublicKey publicKey() {
        return (RSAPublicKey) chain.get(0).getPublicKey();
    }

    /** The chain file exactly as read: the seed AUTH answer sends these bytes. */
    public byte[] chainPem() {
        return chainPem.clone();
    }
}

package dev.ferry.security.rsa;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.RSAKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;

/**
 * RSA-PSS exactly as the seed programs sign and verify the AUTH answer (PROTOCOL.md section 2):
 * SHA-256, MGF1 with SHA-256, the maximum salt length and trailer field 1. Uses the JDK's
 * {@code RSASSA-PSS} (SunRsaSign). Stateless and thread-safe: every call makes its own
 * {@link Signature}; {@link #signer} and {@link #verifier} hand out one for a single thread.
 */
public final class SeedSignatures {
    private static final String ALGORITHM = "RSASSA-PSS";
    private static final int SHA256_BYTES = 32;

    private SeedSignatures() {
    }

    /**
     * The salt length the seed uses, {@code PSS.MAX_LENGTH} of Python's cryptography:
     * emLen - hLen - 2 with emLen = ceil((modBits - 1) / 8) (RFC 8017 section 9.1.1), which is
     * k - 34 for the usual key sizes (222 bytes for RSA-2048). The seed client rejects any other.
     */
    public static int saltLength(RSAKey key) {
        int emLen = (key.getModulus().bitLength() + 6) / 8;
        return emLen - SHA256_BYTES - 2;
    }

    /** The PSS parameters of the seed for {@code key}. */
    public static PSSParameterSpec parameters(RSAKey key) {
        return new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, saltLength(key),
                PSSParameterSpec.TRAILER_FIELD_BC);
    }

    /** Signs {@code message} (the exact bytes, hashed here with SHA-256). */
    public static byte[] sign(PrivateKey key, byte[] message) throws GeneralSecurityException {
        Signature signature = signer(key);
        signature.update(message);
        return signature.sign();
    }

    /**
     * True when {@code signature} is the seed's PSS signature of {@code message} under {@code key};
     * false for any other bytes, including a signature of the wrong length. Throws only for an
     * unusable key.
     */
    public static boolean verify(PublicKey key, byte[] message, byte[] signature) throws GeneralSecurityException {
        Signature verifier = verifier(key);
        verifier.update(message);
        try {
            return verifier.verify(signature);
        } catch (SignatureException malformed) {
            return false;
        }
    }

    /** A {@link Signature} ready to sign with {@code key}, for messages fed in several parts; one thread at a time. */
    public static Signature signer(PrivateKey key) throws GeneralSecurityException {
        Signature signature = Signature.getInstance(ALGORITHM);
        signature.setParameter(parameters(rsa(key)));
        signature.initSign(key);
        return signature;
    }

    /** A {@link Signature} ready to verify with {@code key}, for messages fed in several parts; one thread at a time. */
    public static Signature verifier(PublicKey key) throws GeneralSecurityException {
        Signature signature = Signature.getInstance(ALGORITHM);
        signature.setParameter(parameters(rsa(key)));
        signature.initVerify(key);
        return signature;
    }

    private static RSAKey rsa(Key key) throws InvalidKeyException {
        if (key instanceof RSAKey rsaKey) {
            return rsaKey;
        }
        throw new InvalidKeyException("RSA-PSS needs an RSA key, got a " + key.getAlgorithm() + " key");
    }
}

package dev.ferry.security.rsa;

import javax.crypto.Cipher;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAKey;
import java.security.spec.MGF1ParameterSpec;

/**
 * RSA-OAEP as the seed programs use it for KEY and cp1 (PROTOCOL.md section 2): SHA-256, MGF1
 * with SHA-256, no label, on the JDK's SunJCE. The parameters are always passed explicitly:
 * {@code OAEPWithSHA-256AndMGF1Padding} alone means SHA-1 inside MGF1, which the seed cannot
 * decrypt. {@link #encrypt} and {@link #decrypt} are thread-safe and make a {@link Cipher} per
 * call (for one-off use such as KEY); hot paths take one from {@link #newDecryptCipher} or
 * {@link #newEncryptCipher} and keep it on one thread (a Cipher is not thread-safe; after each
 * {@code doFinal} it is ready for the next chunk).
 */
public final class RsaOaep {
    /** OAEP with SHA-256, MGF1-SHA-256 and the empty label: what Python's cryptography calls {@code OAEP(MGF1(SHA256()), SHA256(), None)}. */
    public static final OAEPParameterSpec SEED_OAEP = new OAEPParameterSpec("SHA-256", "MGF1",
            MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);

    private static final String TRANSFORMATION = "RSA/ECB/OAEPPadding";
    private static final int SHA256_BYTES = 32;

    private RsaOaep() {
    }

    /** k: the modulus length in bytes, which is the length of every ciphertext. */
    public static int modulusBytes(RSAKey key) {
        return (key.getModulus().bitLength() + 7) / 8;
    }

    /** The largest plaintext per ciphertext, k - 2 hLen - 2 (RFC 8017 section 7.1.1): 190 bytes for RSA-2048. */
    public static int maxPlaintext(RSAKey key) {
        return modulusBytes(key) - 2 * SHA256_BYTES - 2;
    }

    /** Encrypts at most {@link #maxPlaintext} bytes to exactly k bytes. */
    public static byte[] encrypt(PublicKey key, byte[] plain) throws GeneralSecurityException {
        int max = maxPlaintext(rsa(key));
        if (plain.length > max) {
            throw new IllegalBlockSizeException("RSA-OAEP plaintext is " + plain.length + " bytes; this key takes at most " + max);
        }
        return newEncryptCipher(key).doFinal(plain);
    }

    /** Decrypts exactly k bytes; a ciphertext of another length or one that does not decrypt throws. */
    public static byte[] decrypt(PrivateKey key, byte[] cipher) throws GeneralSecurityException {
        int k = modulusBytes(rsa(key));
        if (cipher.length != k) {
            throw new IllegalBlockSizeException("RSA-OAEP ciphertext is " + cipher.length + " bytes; this "
                    + rsa(key).getModulus().bitLength() + "-bit key takes exactly " + k);
        }
        return newDecryptCipher(key).doFinal(cipher);
    }

    /** A Cipher ready to decrypt with {@code key}, reusable for any number of chunks by one thread. */
    public static Cipher newDecryptCipher(PrivateKey key) throws GeneralSecurityException {
        rsa(key);
        Cipher cipher = Cipher.getInstance(TRANSFORMATION);
        cipher.init(Cipher.DECRYPT_MODE, key, SEED_OAEP);
        return cipher;
    }

    /** A Cipher ready to encrypt with {@code key}, reusable for any number of chunks by one thread. */
    public static Cipher newEncryptCipher(PublicKey key) throws GeneralSecurityException {
        rsa(key);
        Cipher cipher = Cipher.getInstance(TRANSFORMATION);
        cipher.init(Cipher.ENCRYPT_MODE, key, SEED_OAEP);
        return cipher;
    }

    private static RSAKey rsa(Key key) throws InvalidKeyException {
        if (key instanceof RSAKey rsaKey) {
            return rsaKey;
        }
        throw new InvalidKeyException("RSA-OAEP needs an RSA key, got a " + key.getAlgorithm() + " key");
    }
}

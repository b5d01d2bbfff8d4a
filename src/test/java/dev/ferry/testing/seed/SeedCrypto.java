package dev.ferry.testing.seed;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.RSAKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * The original programs' cryptography as PROTOCOL.md section 2 describes it, written with the JDK
 * alone (no Ferry class): the PSS signature of the AUTH answer, RSA-OAEP for KEY and cp1 chunks,
 * and Fernet tokens for cp2. Stateless; every call makes its own Signature, Cipher and Mac.
 */
final class SeedCrypto {
    /** Explicit parameters: OAEPWithSHA-256AndMGF1Padding alone means MGF1-SHA-1, which the originals cannot read. */
    private static final OAEPParameterSpec OAEP = new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
            PSource.PSpecified.DEFAULT);
    private static final int FERNET_HEADER = 1 + 8 + 16;
    private static final int FERNET_HMAC = 32;

    private SeedCrypto() {
    }

    /** k, the modulus length in bytes. */
    static int modulusBytes(Key key) {
        return (((RSAKey) key).getModulus().bitLength() + 7) / 8;
    }

    /** RSA-PSS, SHA-256, MGF1-SHA-256, salt k - 34 (the maximum; the original client accepts no other). */
    private static Signature pss(Key key) throws GeneralSecurityException {
        Signature signature = Signature.getInstance("RSASSA-PSS");
        signature.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
                modulusBytes(key) - 34, 1));
        return signature;
    }

    static byte[] sign(PrivateKey key, byte[] message) throws GeneralSecurityException {
        Signature signature = pss(key);
        signature.initSign(key);
        signature.update(message);
        return signature.sign();
    }

    static boolean verify(PublicKey key, byte[] message, byte[] signature) throws GeneralSecurityException {
        Signature verifier = pss(key);
        verifier.initVerify(key);
        verifier.update(message);
        try {
            return verifier.verify(signature);
        } catch (SignatureException malformed) {
            return false;
        }
    }

    static byte[] oaepEncrypt(PublicKey key, byte[] plain) throws GeneralSecurityException {
        return oaep(Cipher.ENCRYPT_MODE, key).doFinal(plain);
    }

    static byte[] oaepDecrypt(PrivateKey key, byte[] encrypted) throws GeneralSecurityException {
        return oaep(Cipher.DECRYPT_MODE, key).doFinal(encrypted);
    }

    private static Cipher oaep(int mode, Key key) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPPadding");
        cipher.init(mode, key, OAEP);
        return cipher;
    }

    /** cp1 DATA: the file cut into pieces of k - 66 bytes, each RSA-OAEP encrypted to k bytes. */
    static byte[] cp1Encode(PublicKey key, byte[] content) throws GeneralSecurityException {
        Cipher cipher = oaep(Cipher.ENCRYPT_MODE, key);
        int piece = modulusBytes(key) - 66;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < content.length; at += piece) {
            out.writeBytes(cipher.doFinal(content, at, Math.min(piece, content.length - at)));
        }
        return out.toByteArray();
    }

    /** cp1 DATA back to the file: every k bytes one RSA-OAEP chunk. */
    static byte[] cp1Decode(PrivateKey key, byte[] data) throws GeneralSecurityException {
        int k = modulusBytes(key);
        if (data.length % k != 0) {
            throw new GeneralSecurityException("cp1 DATA of " + data.length + " bytes is not a run of " + k + "-byte chunks");
        }
        Cipher cipher = oaep(Cipher.DECRYPT_MODE, key);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < data.length; at += k) {
            out.writeBytes(cipher.doFinal(data, at, k));
        }
        return out.toByteArray();
    }

    /** A new Fernet key as KEY carries it: the 44-character URL-safe base64 (with padding) of 32 random bytes. */
    static String newFernetKey(SecureRandom random) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        return Base64.getUrlEncoder().encodeToString(key);
    }

    /** {@code base64url(0x80 | u64 now | IV | AES-128-CBC-PKCS7(plain) | HMAC-SHA256 of all before)}, padding kept. */
    static byte[] fernetEncrypt(String keyText, byte[] plain, SecureRandom random) throws GeneralSecurityException {
        byte[] key = fernetKey(keyText);
        byte[] iv = new byte[16];
        random.nextBytes(iv);
        Cipher aes = Cipher.getInstance("AES/CBC/PKCS5Padding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, 16, 16, "AES"), new IvParameterSpec(iv));
        byte[] encrypted = aes.doFinal(plain);
        ByteBuffer token = ByteBuffer.allocate(FERNET_HEADER + encrypted.length + FERNET_HMAC);
        token.put((byte) 0x80).putLong(System.currentTimeMillis() / 1000).put(iv).put(encrypted);
        token.put(hmac(key, token.array(), token.position()));
        return Base64.getUrlEncoder().encode(token.array());
    }

    /** Opens a token: version, then the HMAC (in constant time), then AES; the token's age is not checked. */
    static byte[] fernetDecrypt(String keyText, byte[] tokenText) throws GeneralSecurityException {
        byte[] key = fernetKey(keyText);
        byte[] token;
        try {
            token = Base64.getUrlDecoder().decode(tokenText);
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("invalid Fernet token: not URL-safe base64", e);
        }
        if (token.length < FERNET_HEADER + 16 + FERNET_HMAC || token[0] != (byte) 0x80) {
            throw new GeneralSecurityException("invalid Fernet token: too short or not version 0x80");
        }
        int macAt = token.length - FERNET_HMAC;
        if (!MessageDigest.isEqual(hmac(key, token, macAt), Arrays.copyOfRange(token, macAt, token.length))) {
            throw new GeneralSecurityException("invalid Fernet token: HMAC does not match");
        }
        Cipher aes = Cipher.getInstance("AES/CBC/PKCS5Padding");
        aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, 16, 16, "AES"), new IvParameterSpec(token, 9, 16));
        return aes.doFinal(token, FERNET_HEADER, macAt - FERNET_HEADER);
    }

    /** The 32 bytes of a key's text: HMAC key first, AES key last. */
    private static byte[] fernetKey(String text) throws GeneralSecurityException {
        byte[] key;
        try {
            key = Base64.getUrlDecoder().decode(text.getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("a Fernet key is URL-safe base64; got other text", e);
        }
        if (key.length != 32) {
            throw new GeneralSecurityException("a Fernet key is 32 bytes, got " + key.length);
        }
        return key;
    }

    private static byte[] hmac(byte[] key, byte[] bytes, int length) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, 0, 16, "HmacSHA256"));
        mac.update(bytes, 0, length);
        return mac.doFinal();
    }
}

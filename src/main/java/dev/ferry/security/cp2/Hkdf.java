package dev.ferry.security.cp2;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * HKDF with HMAC-SHA256 (RFC 5869) on the JDK's {@code HmacSHA256}, for the cp2 session keys
 * (PROTOCOL.md section 3.3). Stateless and thread-safe; runs once per handshake, so each call
 * makes its own Mac.
 */
public final class Hkdf {
    /** HashLen of SHA-256. */
    public static final int HASH_LENGTH = 32;
    private static final String HMAC = "HmacSHA256";

    private Hkdf() {
    }

    /** HKDF-Extract: PRK = HMAC(salt, IKM); a null or empty salt means HashLen zero bytes (RFC 5869 section 2.2). */
    public static byte[] extract(byte[] salt, byte[] ikm) {
        // SecretKeySpec refuses an empty key; HMAC pads the key with zeros anyway, so both are the same.
        byte[] key = salt == null || salt.length == 0 ? new byte[HASH_LENGTH] : salt;
        Mac mac = mac(key);
        return mac.doFinal(ikm);
    }

    /** HKDF-Expand: the first {@code length} bytes of T(1) | T(2) | ... (RFC 5869 section 2.3); length at most 255 * 32. */
    public static byte[] expand(byte[] prk, byte[] info, int length) {
        if (length < 0 || length > 255 * HASH_LENGTH) {
            throw new IllegalArgumentException("HKDF-SHA256 output length must be 0 to 8160 bytes, got " + length);
        }
        if (prk.length < HASH_LENGTH) {
            throw new IllegalArgumentException("HKDF PRK must be at least 32 bytes (an extract output), got " + prk.length);
        }
        Mac mac = mac(prk);
        byte[] okm = new byte[length];
        byte[] t = new byte[0];
        for (int i = 1, at = 0; at < length; i++) {
            mac.update(t);
            if (info != null) {
                mac.update(info);
            }
            mac.update((byte) i);
            t = mac.doFinal();
            int n = Math.min(HASH_LENGTH, length - at);
            System.arraycopy(t, 0, okm, at, n);
            at += n;
        }
        Arrays.fill(t, (byte) 0);
        return okm;
    }

    /** Extract then expand. */
    public static byte[] derive(byte[] salt, byte[] ikm, byte[] info, int length) {
        byte[] prk = extract(salt, ikm);
        try {
            return expand(prk, info, length);
        } finally {
            Arrays.fill(prk, (byte) 0);
        }
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
        }
    }
}

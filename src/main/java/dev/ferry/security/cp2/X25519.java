package dev.ferry.security.cp2;

import dev.ferry.security.HandshakeException;

import javax.crypto.KeyAgreement;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;

/**
 * X25519 (RFC 7748) for the cp2 ephemeral key exchange (PROTOCOL.md section 3.3) on the JDK's
 * {@code XDH}: key pairs, the raw 32-byte little-endian public key form that travels in
 * {@code server-share=} and KEY, and the agreement. Stateless and thread-safe.
 */
public final class X25519 {
    /** Bytes of a raw public key, private key and shared value. */
    public static final int KEY_BYTES = 32;

    private X25519() {
    }

    /** A fresh ephemeral key pair. */
    public static KeyPair generate(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("X25519");
            generator.initialize(NamedParameterSpec.X25519, random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is required on Java 11 and later", e);
        }
    }

    /** The raw public key: u as 32 bytes little-endian (RFC 7748 section 5). */
    public static byte[] encode(PublicKey key) {
        if (!(key instanceof XECPublicKey xec)) {
            throw new IllegalArgumentException("not an X25519 public key: " + key.getAlgorithm());
        }
        byte[] bigEndian = xec.getU().toByteArray();
        byte[] raw = new byte[KEY_BYTES];
        for (int i = 0; i < KEY_BYTES && i < bigEndian.length; i++) {
            raw[i] = bigEndian[bigEndian.length - 1 - i];
        }
        return raw;
    }

    /** Reads a peer's raw public key; anything but 32 bytes is a {@link HandshakeException}. */
    public static PublicKey decode(byte[] raw) throws HandshakeException {
        if (raw.length != KEY_BYTES) {
            throw new HandshakeException("an X25519 public key is 32 bytes, the peer sent " + raw.length);
        }
        byte[] bigEndian = new byte[KEY_BYTES];
        for (int i = 0; i < KEY_BYTES; i++) {
            bigEndian[i] = raw[KEY_BYTES - 1 - i];
        }
        // RFC 7748 section 5: the receiver masks the top bit of the last byte.
        bigEndian[0] &= 0x7f;
        try {
            return KeyFactory.getInstance("XDH").generatePublic(
                    new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, bigEndian)));
        } catch (GeneralSecurityException e) {
            throw new HandshakeException("the peer's X25519 public key is not usable: " + e.getMessage(), e);
        }
    }

    /** The shared value X25519(own, peer); a small-order peer key (all-zero result, RFC 7748 section 6.1) is a {@link HandshakeException}. */
    public static byte[] agree(PrivateKey own, PublicKey peer) throws HandshakeException {
        try {
            KeyAgreement agreement = KeyAgreement.getInstance("XDH");
            agreement.init(own);
            agreement.doPhase(peer, true);
            return agreement.generateSecret();
        } catch (InvalidKeyException e) {
            throw new HandshakeException("X25519 agreement with the peer's key failed (" + e.getMessage()
                    + "): a small-order or malformed share", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is required on Java 11 and later", e);
        }
    }

    /** A private key from its raw 32-byte scalar (RFC 7748 encoding), for known-answer tests and fixed keys. */
    public static PrivateKey privateKey(byte[] scalar) {
        if (scalar.length != KEY_BYTES) {
            throw new IllegalArgumentException("an X25519 private key is 32 bytes, got " + scalar.length);
        }
        try {
            return KeyFactory.getInstance("XDH").generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is required on Java 11 and later", e);
        }
    }
}

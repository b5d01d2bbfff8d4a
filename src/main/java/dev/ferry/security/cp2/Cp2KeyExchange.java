package dev.ferry.security.cp2;

import dev.ferry.security.HandshakeException;
import dev.ferry.wire.ProtocolException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * cp2's native KEY (PROTOCOL.md 3.3): M2 = {@code u64 length, RSA-OAEP(32-byte secret), u64
 * length, the client's ephemeral X25519 public key}; the server's ephemeral X25519 key travels in
 * the HELLO answer as {@code server-share}. Both sides derive the two AES-256-GCM keys with
 * HKDF-SHA256 (ikm = secret || X25519 shared value, salt = the transcript hash after KEY). The
 * ephemeral keys give forward secrecy: a later theft of the server's RSA key does not open a
 * recorded session.
 */
final class Cp2KeyExchange {
    static final String SHARE = "server-share";
    static final int SECRET_BYTES = 32;
    private static final byte[] C2S = "ferry/1 cp2 c2s".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] S2C = "ferry/1 cp2 s2c".getBytes(StandardCharsets.US_ASCII);

    private Cp2KeyExchange() {
    }

    /** The KEY payload. */
    static byte[] keyMessage(byte[] wrappedSecret, PublicKey clientShare) {
        byte[] share = X25519.encode(clientShare);
        return ByteBuffer.allocate(16 + wrappedSecret.length + share.length)
                .putLong(wrappedSecret.length).put(wrappedSecret).putLong(share.length).put(share).array();
    }

    /** Splits a KEY payload into the wrapped secret and the client's X25519 public key bytes. */
    static byte[][] parseKeyMessage(byte[] m2) throws ProtocolException {
        ByteBuffer in = ByteBuffer.wrap(m2);
        byte[] wrapped = field(in, "wrapped secret");
        byte[] share = field(in, "client share");
        if (in.hasRemaining()) {
            throw new ProtocolException("KEY has " + in.remaining() + " bytes after its two fields");
        }
        return new byte[][] {wrapped, share};
    }

    private static byte[] field(ByteBuffer in, String what) throws ProtocolException {
        if (in.remaining() < 8) {
            throw new ProtocolException("KEY ends before the " + what);
        }
        long length = in.getLong();
        if (length < 0 || length > in.remaining()) {
            throw new ProtocolException("KEY " + what + " length " + length + " exceeds the frame");
        }
        byte[] bytes = new byte[(int) length];
        in.get(bytes);
        return bytes;
    }

    static String encodeShare(PublicKey key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(X25519.encode(key));
    }

    static PublicKey decodeShare(String text) throws HandshakeException {
        if (text == null) {
            throw new HandshakeException("the server's HELLO answer has no server-share; it does not speak Ferry's"
                    + " cp2");
        }
        try {
            return X25519.decode(Base64.getUrlDecoder().decode(text));
        } catch (IllegalArgumentException e) {
            throw new HandshakeException("the server's server-share is not base64url: " + e.getMessage(), e);
        }
    }

    static byte[] newSecret(SecureRandom random) {
        byte[] secret = new byte[SECRET_BYTES];
        random.nextBytes(secret);
        return secret;
    }

    /** Derives the codec from the secret, the X25519 agreement and the transcript hash after KEY. */
    static Cp2Codec codec(byte[] secret, KeyPair own, PublicKey peer, byte[] transcriptAfterKey)
            throws HandshakeException {
        byte[] dh = X25519.agree(own.getPrivate(), peer);
        byte[] ikm = ByteBuffer.allocate(secret.length + dh.length).put(secret).put(dh).array();
        byte[] toServer = Hkdf.derive(transcriptAfterKey, ikm, C2S, 32);
        byte[] toClient = Hkdf.derive(transcriptAfterKey, ikm, S2C, 32);
        Arrays.fill(ikm, (byte) 0);
        Arrays.fill(dh, (byte) 0);
        return new Cp2Codec(new GcmSealer(toServer), new GcmSealer(toClient));
    }
}

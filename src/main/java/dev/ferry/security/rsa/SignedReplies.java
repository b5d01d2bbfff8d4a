package dev.ferry.security.rsa;

import dev.ferry.security.SealException;
import dev.ferry.wire.ReplyStatus;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;

/**
 * REPLYs signed with the server's RSA key (ap and cp1, PROTOCOL.md 3.3): M2 = {@code u64 length,
 * payload, signature} with the RSA-PSS signature over {@code "ferry/1 reply" 0x00 || H(handshake
 * end) || u64 reply counter || u64 STATUS || payload}. The transcript hash binds a reply to its
 * session and the counter to its place, so a reply can be neither forged, replayed from another
 * session, nor reordered: a forged acknowledgement would make the client delete a file the server
 * never stored. One instance per connection and direction; used by one thread.
 */
public final class SignedReplies {
    private static final byte[] DOMAIN = "ferry/1 reply\0".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_SIGNATURE = 2048;

    private final PrivateKey signingKey;
    private final PublicKey verifyingKey;
    private final byte[] handshakeHash;
    private long counter;

    private SignedReplies(PrivateKey signingKey, PublicKey verifyingKey, byte[] handshakeHash) {
        this.signingKey = signingKey;
        this.verifyingKey = verifyingKey;
        this.handshakeHash = handshakeHash.clone();
    }

    /** The server side. */
    public static SignedReplies signer(PrivateKey key, byte[] handshakeHash) {
        return new SignedReplies(key, null, handshakeHash);
    }

    /** The client side. */
    public static SignedReplies verifier(PublicKey key, byte[] handshakeHash) {
        return new SignedReplies(null, key, handshakeHash);
    }

    public byte[] seal(ReplyStatus status, byte[] payload) throws SealException {
        try {
            byte[] signature = SeedSignatures.sign(signingKey, signed(status, payload, counter++));
            return ByteBuffer.allocate(8 + payload.length + signature.length)
                    .putLong(payload.length).put(payload).put(signature).array();
        } catch (GeneralSecurityException e) {
            throw new SealException("cannot sign a REPLY: " + e.getMessage(), e);
        }
    }

    public byte[] open(ReplyStatus status, byte[] m2) throws SealException {
        ByteBuffer in = ByteBuffer.wrap(m2);
        if (m2.length < 8) {
            throw new SealException("signed REPLY of " + m2.length + " bytes is too short");
        }
        long length = in.getLong();
        if (length < 0 || length > m2.length - 8 || m2.length - 8 - length > MAX_SIGNATURE) {
            throw new SealException("signed REPLY has a payload length of " + length + " in " + m2.length + " bytes");
        }
        byte[] payload = Arrays.copyOfRange(m2, 8, 8 + (int) length);
        byte[] signature = Arrays.copyOfRange(m2, 8 + (int) length, m2.length);
        try {
            if (!SeedSignatures.verify(verifyingKey, signed(status, payload, counter++), signature)) {
                throw new SealException("the server's REPLY signature does not verify: forged, altered or replayed");
            }
        } catch (GeneralSecurityException e) {
            throw new SealException("the server's REPLY signature cannot be checked: " + e.getMessage(), e);
        }
        return payload;
    }

    private byte[] signed(ReplyStatus status, byte[] payload, long number) {
        return ByteBuffer.allocate(DOMAIN.length + handshakeHash.length + 16 + payload.length)
                .put(DOMAIN).put(handshakeHash).putLong(number).putLong(status.code()).put(payload).array();
    }
}

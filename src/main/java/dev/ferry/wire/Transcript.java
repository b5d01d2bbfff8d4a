package dev.ferry.wire;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Running SHA-256 of every byte sent and received on a native connection from the first byte
 * of HELLO until the handshake ends (PROTOCOL.md section 3.1). The frame reader and writer feed
 * it with exactly the frame bytes they consume or produce, never read-ahead, so both peers hash
 * the same sequence. Used by one connection thread at a time.
 */
public final class Transcript {
    private final MessageDigest digest;

    public Transcript() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    void update(byte[] bytes, int offset, int length) {
        digest.update(bytes, offset, length);
    }

    /** {@code H(now)}: the digest of everything so far; the transcript goes on. */
    public byte[] hash() {
        try {
            return ((MessageDigest) digest.clone()).digest();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digest of this provider cannot be cloned", e);
        }
    }
}

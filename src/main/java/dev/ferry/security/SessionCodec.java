package dev.ferry.security;

import dev.ferry.wire.Mode;
import dev.ferry.wire.ReplyStatus;

/**
 * What a finished native handshake produces: seals every client-to-server payload (FILE header,
 * DATA block, COMMIT trailer) and protects every server REPLY (PROTOCOL.md section 3.3).
 * One codec belongs to one connection; its sealing side is used by the one thread that writes,
 * its opening side by the one thread that reads. Codecs that count messages (nonces, reply
 * counters) rely on that order.
 */
public interface SessionCodec {
    /** True when sealing changes nothing (plain): the caller may send and store the bytes as they are. */
    default boolean transparent() {
        return false;
    }

    /**
     * True when this codec hides what the client sends (file names among it) while REPLYs travel
     * readable, only signed (cp1, which has no key toward the client). The server then keeps names
     * and reasons out of its file REPLYs, which would otherwise give away what FILE headers hide.
     */
    default boolean repliesInClear() {
        return false;
    }

    /** The largest DATA plaintext per block that is at most {@code requested} (cp1: whole RSA chunks). */
    default int blockSize(int requested) {
        return requested;
    }

    /** The number of bytes {@link #seal} produces for {@code plainLength} bytes. */
    int sealedLength(int plainLength);

    /** The largest plaintext that a sealed payload of {@code sealedLength} bytes can carry. */
    int maxPlainLength(int sealedLength);

    /** Client side: seals {@code src[offset, offset+length)} for a frame of {@code mode} into {@code dst}, returns the bytes written. */
    int seal(Mode mode, byte[] src, int offset, int length, byte[] dst) throws SealException;

    /** Server side: opens a sealed payload into {@code dst}, returns the plaintext length. */
    int open(Mode mode, byte[] src, int offset, int length, byte[] dst) throws SealException;

    /** Server side: protects a REPLY payload (signature or seal). */
    byte[] sealReply(ReplyStatus status, byte[] payload) throws SealException;

    /** Client side: checks and unwraps a REPLY payload; a reply that does not verify is an attack, never an acknowledgement. */
    byte[] openReply(ReplyStatus status, byte[] payload) throws SealException;
}

package dev.ferry.security.cp1;

import dev.ferry.security.SealException;
import dev.ferry.security.SessionCodec;
import dev.ferry.security.rsa.SignedReplies;
import dev.ferry.wire.Mode;
import dev.ferry.wire.ReplyStatus;

/**
 * cp1's codec: every payload is a run of RSA-OAEP chunks to the server's key (as the seed's
 * ...WithSecurityCP1 DATA), REPLYs are signed by the server but readable, so the server leaves
 * names out of them. A DATA block holds a whole number of chunks, so no chunk straddles two frames.
 */
final class Cp1Codec implements SessionCodec {
    private final Cp1Chunks chunks;
    private final SignedReplies replies;

    Cp1Codec(Cp1Chunks chunks, SignedReplies replies) {
        this.chunks = chunks;
        this.replies = replies;
    }

    @Override
    public boolean repliesInClear() {
        return true;
    }

    @Override
    public int blockSize(int requested) {
        return Math.max(1, requested / chunks.chunkPlain()) * chunks.chunkPlain();
    }

    @Override
    public int sealedLength(int plainLength) {
        return chunks.encodedLength(plainLength);
    }

    @Override
    public int maxPlainLength(int sealedLength) {
        return sealedLength / chunks.chunkSize() * chunks.chunkPlain();
    }

    @Override
    public int seal(Mode mode, byte[] src, int offset, int length, byte[] dst) {
        return chunks.encode(src, offset, length, dst);
    }

    @Override
    public int open(Mode mode, byte[] src, int offset, int length, byte[] dst) throws SealException {
        return chunks.decode(src, offset, length, dst);
    }

    @Override
    public byte[] sealReply(ReplyStatus status, byte[] payload) throws SealException {
        return replies.seal(status, payload);
    }

    @Override
    public byte[] openReply(ReplyStatus status, byte[] payload) throws SealException {
        return replies.open(status, payload);
    }
}

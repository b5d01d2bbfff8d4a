package dev.ferry.security.ap;

import dev.ferry.security.SealException;
import dev.ferry.security.SessionCodec;
import dev.ferry.security.rsa.SignedReplies;
import dev.ferry.wire.Mode;
import dev.ferry.wire.ReplyStatus;

/** ap's codec: payloads travel as they are, REPLYs are signed by the server. */
final class ApCodec implements SessionCodec {
    private final SignedReplies replies;

    ApCodec(SignedReplies replies) {
        this.replies = replies;
    }

    @Override
    public boolean transparent() {
        return true;
    }

    @Override
    public int sealedLength(int plainLength) {
        return plainLength;
    }

    @Override
    public int maxPlainLength(int sealedLength) {
        return sealedLength;
    }

    @Override
    public int seal(Mode mode, byte[] src, int offset, int length, byte[] dst) {
        System.arraycopy(src, offset, dst, 0, length);
        return length;
    }

    @Override
    public int open(Mode mode, byte[] src, int offset, int length, byte[] dst) {
        System.arraycopy(src, offset, dst, 0, length);
        return length;
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

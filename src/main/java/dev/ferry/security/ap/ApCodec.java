package dev.ferry.security.ap;

import dev.ferry.security.SealException;
import dev.ferry.security.TransparentCodec;
import dev.ferry.security.rsa.SignedReplies;
import dev.ferry.wire.ReplyStatus;

/** ap's codec: payloads travel as they are, REPLYs are signed by the server. */
final class ApCodec extends TransparentCodec {
    private final SignedReplies replies;

    ApCodec(SignedReplies replies) {
        this.replies = replies;
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

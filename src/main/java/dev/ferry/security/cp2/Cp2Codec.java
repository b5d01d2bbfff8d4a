package dev.ferry.security.cp2;

import dev.ferry.security.SealException;
import dev.ferry.security.SessionCodec;
import dev.ferry.wire.Mode;
import dev.ferry.wire.ReplyStatus;

/**
 * cp2's codec: AES-256-GCM both ways with keys from the handshake; each direction counts its
 * messages into the nonce and binds the frame's MODE (or STATUS) as associated data, so a
 * replayed, dropped, reordered or altered frame does not open.
 */
final class Cp2Codec implements SessionCodec {
    private final GcmSealer toServer;
    private final GcmSealer toClient;

    /**
     * @param toServer the client-to-server direction (the client seals with it, the server opens)
     * @param toClient the server-to-client direction
     */
    Cp2Codec(GcmSealer toServer, GcmSealer toClient) {
        this.toServer = toServer;
        this.toClient = toClient;
    }

    @Override
    public int sealedLength(int plainLength) {
        return plainLength + GcmSealer.TAG;
    }

    @Override
    public int maxPlainLength(int sealedLength) {
        return Math.max(0, sealedLength - GcmSealer.TAG);
    }

    @Override
    public int seal(Mode mode, byte[] src, int offset, int length, byte[] dst) {
        return toServer.seal(mode.code(), src, offset, length, dst);
    }

    @Override
    public int open(Mode mode, byte[] src, int offset, int length, byte[] dst) throws SealException {
        return toServer.open(mode.code(), src, offset, length, dst);
    }

    @Override
    public byte[] sealReply(ReplyStatus status, byte[] payload) {
        byte[] sealed = new byte[payload.length + GcmSealer.TAG];
        toClient.seal(status.code(), payload, 0, payload.length, sealed);
        return sealed;
    }

    @Override
    public byte[] openReply(ReplyStatus status, byte[] payload) throws SealException {
        byte[] plain = new byte[maxPlainLength(payload.length)];
        int n = toClient.open(status.code(), payload, 0, payload.length, plain);
        return n == plain.length ? plain : java.util.Arrays.copyOf(plain, n);
    }
}

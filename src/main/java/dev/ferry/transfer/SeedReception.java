package dev.ferry.transfer;

import dev.ferry.security.SeedReceiver;
import dev.ferry.wire.FrameLimits;
import dev.ferry.wire.FrameReader;
import dev.ferry.wire.FrameWriter;
import dev.ferry.wire.Mode;
import dev.ferry.wire.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A seed session (PROTOCOL.md section 2), byte-compatible with the original programs: FILE
 * carries the typed path, each DATA one whole file, stored atomically once decoded; CLOSE ends
 * the session. The server's configured protocol decides what is required before DATA.
 */
final class SeedReception {
    private static final Logger log = LoggerFactory.getLogger(SeedReception.class);

    private final FrameReader in;
    private final FrameWriter out;
    private final ServerSession.Context context;
    private final SeedReceiver seed;

    SeedReception(FrameReader in, FrameWriter out, ServerSession.Context context) {
        this.in = in;
        this.out = out;
        this.context = context;
        this.seed = context.protocols().seed().seedSession();
    }

    /** The frames a seed client may send, with their limits. */
    static FrameLimits limits(ServerSession.Context context) {
        long seedData = context.protocols().seed().seedSession()
                .maxEncodedLength(context.limits().seedMaxFileSize());
        return FrameLimits.none()
                .with(Mode.FILE, ReceptionLimits.MAX_HEADER, "a file name is at most 16 KiB")
                .with(Mode.DATA, Math.min(seedData, Integer.MAX_VALUE - 64), "ferry.server.seed-max-file-size")
                .with(Mode.AUTH, ReceptionLimits.MAX_HANDSHAKE, "an AUTH message is at most 64 KiB")
                .with(Mode.KEY, ReceptionLimits.MAX_HANDSHAKE, "a KEY message is at most 64 KiB");
    }

    void run(Mode first) throws IOException {
        String protocol = context.protocols().seedProtocol();
        context.listener().handshakeDone(protocol);
        String name = null;
        for (Mode mode = first; mode != null; mode = in.readMode()) {
            switch (mode) {
                case FILE -> name = decodeName(in.readPayload(Mode.FILE));
                case DATA -> receive(name, protocol);
                case AUTH -> {
                    seed.onAuth(in.readPayload(Mode.AUTH), out);
                    out.flush();
                }
                case KEY -> seed.onKey(in.readPayload(Mode.KEY));
                case CLOSE -> {
                    return;
                }
                default -> throw new ProtocolException(mode + " is not part of a seed session");
            }
            if (context.listener().stopRequested()) {
                return;
            }
        }
    }

    private void receive(String name, String protocol) throws IOException {
        String refusal = seed.dataRefusal();
        if (refusal != null) {
            throw new ProtocolException("seed session refused under protocol " + protocol + ": " + refusal);
        }
        int length = in.readLength(Mode.DATA);
        if (name == null) {
            throw new ProtocolException("DATA before FILE: a seed session names each file first");
        }
        long start = System.nanoTime();
        Store.Upload upload;
        try {
            upload = context.store().beginSeed(name, length);
        } catch (DeliveryException e) {
            log.warn("refused seed file name={} reason=\"{}\" peer={}", PeerText.show(name), e.getMessage(),
                    context.peer());
            context.listener().finished(ReceivedFile.refused(name, -1, protocol, null, true, start, e.status(),
                    e.getMessage()));
            seed.decodeFile(in, length, (bytes, offset, count) -> { });
            return;
        }
        context.listener().fileOpen(true);
        long[] written = {0};
        try (upload) {
            MessageDigest digest = Digests.sha256();
            seed.decodeFile(in, length, (bytes, offset, count) -> {
                write(upload, bytes, offset, count);
                digest.update(bytes, offset, count);
                written[0] += count;
            });
            String stored = upload.commit(-1, null);
            TransferLog.stored(stored, written[0], start, protocol, context.peer(), null, true);
            context.listener().finished(ReceivedFile.stored(name, stored, written[0],
                    HexFormat.of().formatHex(digest.digest()), protocol, null, true, start));
        } catch (DeliveryException e) {
            context.listener().finished(ReceivedFile.refused(name, written[0], protocol, null, true, start,
                    e.status(), e.getMessage()));
            throw new ProtocolException("cannot store seed file " + PeerText.show(name) + ": " + e.getMessage(), e);
        } finally {
            context.listener().fileOpen(false);
        }
    }

    private static void write(Store.Upload upload, byte[] bytes, int offset, int count) throws IOException {
        try {
            upload.write(bytes, offset, count);
        } catch (DeliveryException e) {
            // A seed client gets no answer: the session ends and the file is not stored.
            throw new IOException("cannot store seed file: " + e.getMessage(), e);
        }
    }

    private static String decodeName(byte[] raw) throws ProtocolException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException("seed FILE name is not valid UTF-8", e);
        }
    }
}

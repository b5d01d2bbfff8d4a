package dev.ferry.transfer;

import dev.ferry.security.HandshakeChannel;
import dev.ferry.security.ServerHandshake;
import dev.ferry.security.ServerSecurity;
import dev.ferry.security.SessionCodec;
import dev.ferry.wire.FrameLimits;
import dev.ferry.wire.FrameReader;
import dev.ferry.wire.FrameWriter;
import dev.ferry.wire.Mode;
import dev.ferry.wire.ProtocolException;
import dev.ferry.wire.ReplyStatus;
import dev.ferry.wire.Transcript;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;

/**
 * A native session, server side (PROTOCOL.md section 3): HELLO and its answer, the plugin's
 * handshake, then files as FILE, DATA..., COMMIT. Every FILE gets exactly one final REPLY, in
 * order: when it is committed, as soon as it is refused, or when a new FILE abandons it. After
 * a refusal the rest of that file's frames are opened (to keep the codec's counters) and dropped.
 *
 * <p>Runs on the connection's thread, which reads and checks every frame and writes each file's
 * data. A file whose COMMIT verifies is handed to {@link ServerSession.Context#commits()} as a
 * {@link FileCommit}, where it is forced, published and its receipt recorded, while this thread
 * reads the next files; its {@code stored=} answer goes out once it is durable and every earlier
 * answer has gone ({@link ReplyOrder}). The session ends only after every file it handed over is
 * committed or refused, so nothing of a session outlives it.
 */
final class NativeReception {
    private static final Logger log = LoggerFactory.getLogger(NativeReception.class);

    /**
     * Files of one session that may be committing at once. A client sends at most its window
     * (ferry.client.window) before it waits for answers; beyond this the session stops reading
     * until commits end, which bounds the descriptors and memory one peer can hold.
     */
    static final int MAX_COMMITTING = 64;

    private enum State { IDLE, RECEIVING, DISCARDING }

    private final FrameReader in;
    private final FrameWriter out;
    private final Transcript transcript;
    private final ServerSession.Context context;

    private SessionCodec codec;
    private ReplyOrder replies;
    private String protocol;
    private String clientName;
    private State state = State.IDLE;
    private byte[] sealed = new byte[0];
    private byte[] plain = new byte[0];
    // SHA-256 of the files' content on a thread of its own, beside opening and writing (docs/BENCHMARKS.md).
    private final PipelinedDigest digests = new PipelinedDigest(FileSender.DIGEST_DEPTH, FileSender.DIGEST_INLINE);

    // The open file, while RECEIVING.
    private FileHeader header;
    private Store.Upload upload;
    private MessageDigest digest;
    private long received;
    private long started;

    NativeReception(FrameReader in, FrameWriter out, Transcript transcript, ServerSession.Context context) {
        this.in = in;
        this.out = out;
        this.transcript = transcript;
        this.context = context;
    }

    void run() throws IOException {
        boolean closed = false;
        try {
            handshake();
            Mode mode;
            while (!closed && (mode = in.readMode()) != null) {
                switch (mode) {
                    case FILE -> onFile();
                    case DATA -> onData();
                    case COMMIT -> onCommit();
                    case CLOSE -> closed = true;
                    default -> throw new ProtocolException(mode + " is not allowed after the handshake");
                }
                replies.check();
                if (upload == null && context.listener().stopRequested()) {
                    return;
                }
            }
        } finally {
            digests.close();
            if (closed) {
                discardOpenFile();
            } else {
                // The connection broke (or the agent stops): a resumable file keeps what it has.
                suspendOpenFile();
            }
            awaitCommits();
        }
    }

    /** Waits for the commits this session handed over: each ends stored or refused, even with the peer gone. */
    private void awaitCommits() {
        if (replies == null) {
            return;
        }
        try {
            replies.awaitReserved();
        } catch (InterruptedException e) {
            // The commits still end on their own threads; this one just stops waiting.
            Thread.currentThread().interrupt();
        }
    }

    private void handshake() throws IOException {
        Map<String, String> hello = KeyValues.parse(in.readPayload(Mode.HELLO), "HELLO");
        String version = hello.get("ferry");
        if (!"1".equals(version)) {
            refuse("unsupported Ferry protocol version '" + PeerText.show(String.valueOf(version))
                    + "'; this server speaks ferry=1");
        }
        protocol = KeyValues.require(hello, "protocol", "HELLO");
        ServerSecurity security = context.protocols().accepted().get(protocol);
        if (security == null) {
            refuse("protocol " + PeerText.show(protocol) + " is not accepted here; accepted: "
                    + String.join(", ", context.protocols().accepted().keySet()));
        }
        ServerHandshake handshake = security.nativeHandshake();
        byte[] nonce = new byte[32];
        context.random().nextBytes(nonce);
        Map<String, String> answer = new LinkedHashMap<>();
        answer.put("ferry", "1");
        answer.put("protocol", protocol);
        answer.put("server-nonce", Base64.getUrlEncoder().withoutPadding().encodeToString(nonce));
        answer.put("max-file-size", Long.toString(context.limits().maxFileSize()));
        answer.put("max-block", Integer.toString(context.limits().maxBlock()));
        answer.putAll(handshake.helloParameters());
        out.writeReply(ReplyStatus.OK, KeyValues.format(answer));
        out.flush();
        in.limits(FrameLimits.none()
                .with(Mode.AUTH, ReceptionLimits.MAX_HANDSHAKE, "an AUTH message is at most 64 KiB")
                .with(Mode.KEY, ReceptionLimits.MAX_HANDSHAKE, "a KEY message is at most 64 KiB")
                .with(Mode.CLIENT_AUTH, ReceptionLimits.MAX_HANDSHAKE, "a CLIENT-AUTH message is at most 64 KiB"));
        codec = handshake.finish(new HandshakeChannel(in, out, transcript, hello, answer));
        clientName = handshake.clientName();
        in.transcript(null);
        out.transcript(null);
        int maxBlock = context.limits().maxBlock();
        in.limits(FrameLimits.none()
                .with(Mode.FILE, codec.sealedLength(ReceptionLimits.MAX_HEADER), "a FILE header is at most 16 KiB")
                .with(Mode.DATA, codec.sealedLength(maxBlock), "ferry.server.max-block")
                .with(Mode.COMMIT, codec.sealedLength(CommitTrailer.LENGTH), "a COMMIT trailer is 72 bytes"));
        replies = new ReplyOrder(out, codec, MAX_COMMITTING);
        context.listener().handshakeDone(protocol);
    }

    private void refuse(String reason) throws IOException {
        out.writeReply(ReplyStatus.REFUSED, reason.getBytes(StandardCharsets.UTF_8));
        out.flush();
        throw new HelloRefusedException(reason);
    }

    private void onFile() throws IOException {
        int length = open(Mode.FILE);
        if (state == State.RECEIVING) {
            String abandoned = header.name();
            discardOpenFile();
            reply(ReplyStatus.BAD_REQUEST, "abandoned=" + replies.shown(abandoned));
        }
        state = State.IDLE;
        FileHeader next = FileHeader.decode(Arrays.copyOf(plain, length));
        started = System.nanoTime();
        if (next.size() > context.limits().maxFileSize()) {
            failFile(next.name(), next.size(), ReplyStatus.TOO_LARGE, PeerText.show(next.name()) + " is " + next.size()
                    + " bytes; this server accepts at most " + context.limits().maxFileSize()
                    + " bytes (ferry.server.max-file-size)");
            return;
        }
        try {
            upload = context.store().begin(next.name(), next.size(), next.resumeKey());
        } catch (DeliveryException e) {
            failFile(next.name(), next.size(), e.status(), e.getMessage());
            return;
        }
        header = next;
        digest = Digests.sha256();
        received = 0;
        state = State.RECEIVING;
        context.listener().fileOpen(true);
        if (next.resumeKey() != null) {
            resume();
        }
        if (state == State.RECEIVING) {
            digests.start(digest, header.size() - received);
        }
    }

    /** A resumable file: tells the client how much the server already holds, before any DATA. */
    private void resume() throws IOException {
        long held = upload.offset();
        if (held > header.size()) {
            failFile(header.name(), header.size(), ReplyStatus.INTEGRITY, header.name()
                    + ": the kept partial file has " + held + " bytes, more than the " + header.size()
                    + " announced; it was removed, send again");
            return;
        }
        try {
            upload.readHeld(digest);
        } catch (DeliveryException e) {
            failFile(header.name(), header.size(), e.status(), e.getMessage());
            return;
        }
        received = held;
        if (held > 0) {
            log.info("resuming file={} offset={} of={} peer={}", header.name(), held, header.size(), context.peer());
        }
        reply(ReplyStatus.OK, "offset=" + held);
    }

    private void onData() throws IOException {
        if (state == State.IDLE) {
            throw new ProtocolException("DATA before FILE");
        }
        if (state == State.DISCARDING) {
            open(Mode.DATA);
            return;
        }
        int sealedLength = in.readLength(Mode.DATA);
        byte[] block = digests.buffer(codec.maxPlainLength(sealedLength));
        int length = open(Mode.DATA, sealedLength, block);
        if (received + length > header.size()) {
            failFile(header.name(), header.size(), ReplyStatus.INTEGRITY, header.name() + ": more data than the "
                    + header.size() + " bytes announced in FILE");
            return;
        }
        digests.update(block, length);
        try {
            upload.write(block, 0, length);
        } catch (DeliveryException e) {
            failFile(header.name(), header.size(), e.status(), e.getMessage());
            return;
        }
        received += length;
    }

    private void onCommit() throws IOException {
        if (state == State.IDLE) {
            throw new ProtocolException("COMMIT without FILE");
        }
        int length = open(Mode.COMMIT);
        if (state == State.DISCARDING) {
            state = State.IDLE;
            return;
        }
        CommitTrailer trailer = CommitTrailer.decode(plain, length);
        String name = header.name();
        if (trailer.size() != received || received != header.size()) {
            failFile(name, header.size(), ReplyStatus.INTEGRITY, name + ": received " + received
                    + " bytes, FILE announced " + header.size() + " and COMMIT " + trailer.size());
            state = State.IDLE;
            return;
        }
        byte[] sha256 = digests.finish();
        if (!trailer.digestMatches(sha256)) {
            failFile(name, header.size(), ReplyStatus.INTEGRITY,
                    name + ": SHA-256 of the received data does not match COMMIT");
            state = State.IDLE;
            return;
        }
        String idHex = HexFormat.of().formatHex(trailer.id());
        context.versions().claim(idHex);
        Optional<String> earlier;
        try {
            earlier = context.store().storedAs(trailer.id());
        } catch (RuntimeException e) {
            context.versions().release(idHex);
            throw e;
        }
        if (earlier.isPresent()) {
            context.versions().release(idHex);
            // Sent again after a lost acknowledgement: the server already has this version.
            log.info("duplicate file={} stored-as={} peer={}", name, earlier.get(), context.peer());
            context.listener().finished(ReceivedFile.duplicate(name, earlier.get(), received,
                    HexFormat.of().formatHex(sha256), protocol, clientName, started));
            discardOpenFile();
            reply(ReplyStatus.OK, "duplicate=" + replies.shown(earlier.get()));
            return;
        }
        ReplyOrder.Place place = replies.reserve();
        FileCommit commit = new FileCommit(context, protocol, clientName, replies, upload, name, header.mtimeMillis(),
                trailer.id(), idHex, received, HexFormat.of().formatHex(sha256), started, place);
        // The upload now belongs to the commit: closing the file here must not discard it.
        upload = null;
        header = null;
        digest = null;
        context.listener().committing(true);
        context.listener().fileOpen(false);
        state = State.IDLE;
        try {
            context.commits().execute(commit);
        } catch (RejectedExecutionException e) {
            commit.run();
        }
    }

    /** Reads the current frame's {@code length} payload bytes and opens them into {@code into}; returns the plaintext length. */
    private int open(Mode mode, int length, byte[] into) throws IOException {
        if (codec.transparent()) {
            in.readBody(into, 0, length, mode.toString());
            return length;
        }
        if (sealed.length < length) {
            sealed = new byte[length];
        }
        in.readBody(sealed, 0, length, mode.toString());
        return codec.open(mode, sealed, 0, length, into);
    }

    /** Reads and opens the payload of the current frame into {@code plain}; returns its length. */
    private int open(Mode mode) throws IOException {
        int length = in.readLength(mode);
        if (sealed.length < length) {
            sealed = new byte[length];
        }
        in.readBody(sealed, 0, length, mode.toString());
        if (codec.transparent()) {
            plain = sealed;
            return length;
        }
        int max = codec.maxPlainLength(length);
        if (plain.length < max || plain == sealed) {
            plain = new byte[max];
        }
        return codec.open(mode, sealed, 0, length, plain);
    }

    /** Ends the open file with a refusal: one REPLY now, the rest of its frames dropped. */
    private void failFile(String name, long size, ReplyStatus status, String reason) throws IOException {
        log.warn("refused file={} status={} reason=\"{}\" peer={}", PeerText.show(name), status, reason,
                context.peer());
        context.listener().finished(ReceivedFile.refused(name, size, protocol, clientName, false, started, status,
                reason));
        discardOpenFile();
        state = State.DISCARDING;
        reply(status, replies.reason(reason));
    }

    private void reply(ReplyStatus status, String text) throws IOException {
        replies.send(status, text);
    }

    private void discardOpenFile() {
        if (upload != null) {
            upload.close();
        }
        closeFile();
    }

    private void suspendOpenFile() {
        if (upload != null) {
            upload.suspend();
        }
        closeFile();
    }

    private void closeFile() {
        if (upload != null) {
            upload = null;
            header = null;
            digest = null;
            context.listener().fileOpen(false);
        }
        state = State.IDLE;
    }
}

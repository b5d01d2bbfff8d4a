package dev.ferry.transfer;

import dev.ferry.security.SessionCodec;
import dev.ferry.wire.FrameWriter;
import dev.ferry.wire.Mode;
import dev.ferry.wire.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The writing side of one native connection, client side: sends each file as FILE, DATA...,
 * COMMIT (PROTOCOL.md 3.2), resuming a resumable file (3.2b) where the server's {@code offset=}
 * answer says, sealing each frame and digesting the content on its own thread
 * ({@code ferry-digest-N}, {@link PipelinedDigest}). A file that cannot be sent whole ends with its
 * {@link Outcome} and no COMMIT; the server then discards it.
 *
 * <p>Used by the thread that calls {@link Pusher#push}. {@link #close} may come from any thread
 * (the reply thread, when the connection fails) and ends the digest thread.
 */
final class FileSender implements Closeable {
    // The connection's logger: a resumed file reads the same whichever class of it resumes it.
    private static final Logger log = LoggerFactory.getLogger(Pusher.class);
    /** Blocks in flight between the sending thread and its digest thread (each one DATA block). */
    static final int DIGEST_DEPTH = 4;
    /** Files up to this size are digested on the sending thread: a hand-over would only add latency. */
    static final long DIGEST_INLINE = 1024 * 1024;

    private final FrameWriter out;
    private final SessionCodec codec;
    private final Pusher.Options options;
    private final int blockSize;
    private final byte[] block;
    private final byte[] sealed;
    private final PipelinedDigest digests = new PipelinedDigest(DIGEST_DEPTH, DIGEST_INLINE);

    /** @param blockSize DATA plaintext per frame, as agreed with the server and fitted to the codec */
    FileSender(FrameWriter out, SessionCodec codec, Pusher.Options options, int blockSize) {
        this.out = Objects.requireNonNull(out, "out");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.options = Objects.requireNonNull(options, "options");
        this.blockSize = blockSize;
        this.block = new byte[blockSize];
        this.sealed = new byte[codec.sealedLength(Math.max(blockSize, ReceptionLimits.MAX_HEADER))];
    }

    /**
     * Sends the file of {@code slot}, read from {@code source}, and flushes. Returns when its COMMIT
     * is written (the slot then waits for its REPLY) or once its outcome is known without one.
     */
    void send(Pusher.Slot slot, FileChannel source, Pusher.Progress progress) throws IOException {
        SourceFile file = slot.file();
        String resumeKey = slot.offset() == null ? null
                : Digests.resumeKey(options.clientName(), file.relativeName(), file.size(), file.mtimeMillis());
        byte[] header = new FileHeader(file.relativeName(), file.size(), file.mtimeMillis(), resumeKey).encode();
        write(Mode.FILE, header, header.length);
        MessageDigest digest = Digests.sha256();
        long sent = 0;
        if (slot.offset() != null) {
            out.flush();
            slot.waiting(true);
            sent = awaitOffset(slot);
            slot.waiting(false);
            if (sent < 0) {
                return;
            }
            if (!digestHeld(source, digest, sent, slot)) {
                return;
            }
        }
        // SHA-256 is slower than AES-GCM: a thread of its own digests each block while this one
        // seals and sends it (docs/BENCHMARKS.md).
        digests.start(digest, file.size() - sent);
        progress.sent(sent, file.size());
        while (sent < file.size() && !slot.result().isDone()) {
            int want = (int) Math.min(blockSize, file.size() - sent);
            byte[] buffer = digests.buffer(want);
            int got;
            try {
                got = readLocal(source, buffer, want);
            } catch (IOException e) {
                abandon(slot, new Outcome.Unreadable(e.toString()));
                return;
            }
            if (got < want) {
                abandon(slot, new Outcome.Changed("it shrank while it was being sent"));
                return;
            }
            digests.update(buffer, got);
            write(Mode.DATA, buffer, got);
            sent += got;
            progress.sent(sent, file.size());
        }
        if (slot.result().isDone()) {
            // Refused while streaming: the server drops the rest of this file.
            out.flush();
            return;
        }
        if (grew(source) || !file.unchanged()) {
            abandon(slot, new Outcome.Changed("it changed while it was being sent"));
            return;
        }
        byte[] sha256 = digests.finish();
        byte[] id = Digests.fileId(options.clientName(), file.relativeName(), file.size(), file.mtimeMillis(), sha256);
        byte[] trailer = new CommitTrailer(file.size(), sha256, id).encode();
        write(Mode.COMMIT, trailer, trailer.length);
        out.flush();
        slot.waiting(true);
    }

    /** Waits for the server's {@code offset=} answer to a resumable FILE; -1 when it refused the file. */
    private long awaitOffset(Pusher.Slot slot) throws IOException {
        long offset;
        try {
            offset = slot.offset().get(options.replyTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException("connection failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("no answer to a resumable FILE within " + options.replyTimeout()
                    + " (ferry.client.reply-timeout)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the server", e);
        }
        if (offset > slot.file().size()) {
            throw new ProtocolException("the server holds " + offset + " bytes of " + slot.file().relativeName()
                    + ", more than its " + slot.file().size());
        }
        if (offset > 0) {
            log.info("resuming file={} from={} of={}", slot.file().relativeName(), offset, slot.file().size());
        }
        return offset;
    }

    /** Reads the bytes the server already holds into the digest, so COMMIT covers the whole file. */
    private boolean digestHeld(FileChannel source, MessageDigest digest, long held, Pusher.Slot slot)
            throws IOException {
        for (long done = 0; done < held; ) {
            int want = (int) Math.min(blockSize, held - done);
            int got;
            try {
                got = readLocal(source, block, want);
            } catch (IOException e) {
                abandon(slot, new Outcome.Unreadable(e.toString()));
                return false;
            }
            if (got < want) {
                abandon(slot, new Outcome.Changed("it shrank while it was being sent"));
                return false;
            }
            digest.update(block, 0, got);
            done += got;
        }
        return true;
    }

    /** Not committed: the server discards it when the next FILE (or CLOSE) arrives and answers that FILE. */
    private void abandon(Pusher.Slot slot, Outcome why) throws IOException {
        out.flush();
        slot.result().complete(why);
    }

    private boolean grew(FileChannel source) {
        try {
            return readLocal(source, block, 1) > 0;
        } catch (IOException e) {
            return true;
        }
    }

    private int readLocal(FileChannel source, byte[] into, int want) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(into, 0, want);
        while (buffer.hasRemaining()) {
            if (source.read(buffer) < 0) {
                break;
            }
        }
        return buffer.position();
    }

    private void write(Mode mode, byte[] plain, int length) throws IOException {
        if (codec.transparent()) {
            out.writeFrame(mode, plain, 0, length);
        } else {
            int n = codec.seal(mode, plain, 0, length, sealed);
            out.writeFrame(mode, sealed, 0, n);
        }
    }

    /** Ends the digest thread; a later {@link #send} fails. Any thread, idempotent. */
    @Override
    public void close() {
        digests.close();
    }
}

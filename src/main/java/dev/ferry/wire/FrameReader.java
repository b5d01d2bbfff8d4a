package dev.ferry.wire;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.Objects;

/**
 * Reads frames from a peer: {@code MODE:u64}, then {@code M1:u64} and {@code M2} for modes with a
 * payload. Every length is checked against the limit for its mode before anything is allocated or
 * read, so a hostile length costs nothing (PROTOCOL.md section 1). Used by one thread at a time;
 * the caller owns and closes the stream.
 */
public final class FrameReader {
    private static final int BUFFER_BYTES = 128 * 1024;

    private final DataInputStream in;
    private final byte[] word = new byte[8];
    private FrameLimits limits;
    private Transcript transcript;
    private FrameWatch watch = new FrameWatch() { };
    private long remaining;

    public FrameReader(InputStream in, FrameLimits limits) {
        this.in = new DataInputStream(new BufferedInputStream(Objects.requireNonNull(in, "in"), BUFFER_BYTES));
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** Replaces the per-mode limits, e.g. when the handshake ends and DATA becomes allowed. */
    public void limits(FrameLimits newLimits) {
        this.limits = Objects.requireNonNull(newLimits, "limits");
    }

    /** Who is told where frames start and end (by default nobody). */
    public void watch(FrameWatch newWatch) {
        this.watch = Objects.requireNonNull(newWatch, "watch");
    }

    /** Starts (non-null) or stops (null) feeding every byte read to a transcript. */
    public void transcript(Transcript newTranscript) {
        this.transcript = newTranscript;
    }

    /**
     * Reads the next MODE word.
     *
     * @return the mode, or null when the peer closed the stream cleanly at a frame boundary
     */
    public Mode readMode() throws IOException {
        // A read timeout here, before the first byte, leaves the stream intact.
        int first = in.read();
        if (first < 0) {
            return null;
        }
        watch.frameStarted();
        word[0] = (byte) first;
        readFully(word, 1, 7, "MODE");
        feed(word, 0, 8);
        Mode mode = Mode.ofCode(toLong(word));
        if (!mode.hasPayload()) {
            watch.frameEnded();
        }
        return mode;
    }

    /** Reads M1 for {@code mode} and checks it against the limit, before any allocation. */
    public int readLength(Mode mode) throws IOException {
        long length = readU64(mode + " length");
        FrameLimits.Limit limit = limits.limit(mode);
        if (limit == null) {
            throw new ProtocolException(mode + " frame is not allowed at this point of the session");
        }
        if (Long.compareUnsigned(length, limit.maxBytes()) > 0) {
            throw new ProtocolException(mode + " length " + Long.toUnsignedString(length)
                    + " exceeds the limit of " + Sizes.format(limit.maxBytes()) + " (" + limit.source() + ")");
        }
        remaining = length;
        watch.payloadExpected(length);
        if (length == 0) {
            watch.frameEnded();
        }
        return (int) length;
    }

    /** Reads M1 and M2 of a frame into a new array sized by the (checked) length. */
    public byte[] readPayload(Mode mode) throws IOException {
        byte[] payload = new byte[readLength(mode)];
        readBody(payload, 0, payload.length, mode.toString());
        return payload;
    }

    /** Reads exactly {@code length} payload bytes of the current frame. */
    public void readBody(byte[] into, int offset, int length, String what) throws IOException {
        readFully(into, offset, length, what);
        feed(into, offset, length);
        if (remaining > 0) {
            remaining -= length;
            if (remaining <= 0) {
                remaining = 0;
                watch.frameEnded();
            }
        }
    }

    /** Reads one u64 (a length or a status word) and feeds it to the transcript. */
    public long readU64(String what) throws IOException {
        readFully(word, 0, 8, what);
        feed(word, 0, 8);
        return toLong(word);
    }

    /** Reads a server REPLY frame: STATUS, M1 (at most {@code maxPayload}), M2. */
    public Reply readReply(int maxPayload) throws IOException {
        int first = in.read();
        if (first < 0) {
            throw new EOFException("server closed the connection");
        }
        word[0] = (byte) first;
        readFully(word, 1, 7, "REPLY status");
        feed(word, 0, 8);
        ReplyStatus status = ReplyStatus.ofCode(toLong(word));
        byte[] payload = readSized("REPLY", maxPayload);
        return new Reply(status, payload);
    }

    /** Reads a {@code u64 length, bytes} field (the seed AUTH answer layout) of at most {@code max} bytes. */
    public byte[] readSized(String what, int max) throws IOException {
        long length = readU64(what + " length");
        if (Long.compareUnsigned(length, max) > 0) {
            throw new ProtocolException(what + " length " + Long.toUnsignedString(length)
                    + " exceeds the limit of " + Sizes.format(max));
        }
        byte[] bytes = new byte[(int) length];
        readBody(bytes, 0, bytes.length, what);
        return bytes;
    }

    private void readFully(byte[] into, int offset, int length, String what) throws IOException {
        try {
            in.readFully(into, offset, length);
        } catch (EOFException e) {
            throw new ProtocolException("truncated frame: the peer closed the connection inside " + what, e);
        } catch (SocketTimeoutException e) {
            // Only a wait for the first byte of a frame may time out and be retried: inside a frame
            // the stream position is lost, so a stall there ends the connection.
            throw new ProtocolException("the peer stalled inside " + what + " (read timed out)", e);
        }
    }

    private void feed(byte[] bytes, int offset, int length) {
        if (transcript != null) {
            transcript.update(bytes, offset, length);
        }
    }

    static long toLong(byte[] b) {
        return ((long) (b[0] & 0xff) << 56) | ((long) (b[1] & 0xff) << 48) | ((long) (b[2] & 0xff) << 40)
                | ((long) (b[3] & 0xff) << 32) | ((long) (b[4] & 0xff) << 24) | ((b[5] & 0xff) << 16)
                | ((b[6] & 0xff) << 8) | (b[7] & 0xff);
    }
}

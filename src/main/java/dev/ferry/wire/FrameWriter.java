package dev.ferry.wire;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Writes frames to a peer through one buffer big enough for a header and a default DATA block,
 * so a block usually costs one system call. Nothing is sent until {@link #flush()}. Used by one
 * thread at a time; the caller owns and closes the stream.
 */
public final class FrameWriter {
    private static final int BUFFER_BYTES = 160 * 1024;

    private final OutputStream out;
    private final byte[] word = new byte[8];
    private Transcript transcript;

    public FrameWriter(OutputStream out) {
        this.out = new BufferedOutputStream(Objects.requireNonNull(out, "out"), BUFFER_BYTES);
    }

    /** Starts (non-null) or stops (null) feeding every byte written to a transcript. */
    public void transcript(Transcript newTranscript) {
        this.transcript = newTranscript;
    }

    public void writeFrame(Mode mode, byte[] payload) throws IOException {
        writeFrame(mode, payload, 0, payload.length);
    }

    public void writeFrame(Mode mode, byte[] payload, int offset, int length) throws IOException {
        if (!mode.hasPayload()) {
            throw new IllegalArgumentException(mode + " carries no payload");
        }
        writeU64(mode.code());
        writeSized(payload, offset, length);
    }

    /** CLOSE: the MODE word alone. */
    public void writeClose() throws IOException {
        writeU64(Mode.CLOSE.code());
    }

    /** A REPLY frame: STATUS, M1, M2. */
    public void writeReply(ReplyStatus status, byte[] payload) throws IOException {
        writeU64(status.code());
        writeSized(payload, 0, payload.length);
    }

    /** {@code u64 length, bytes}: M1 and M2, or one field of the seed AUTH answer. */
    public void writeSized(byte[] bytes, int offset, int length) throws IOException {
        writeU64(length);
        write(bytes, offset, length);
    }

    public void writeU64(long value) throws IOException {
        for (int i = 7; i >= 0; i--) {
            word[i] = (byte) value;
            value >>>= 8;
        }
        write(word, 0, 8);
    }

    public void flush() throws IOException {
        out.flush();
    }

    private void write(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
        if (transcript != null) {
            transcript.update(bytes, offset, length);
        }
    }
}

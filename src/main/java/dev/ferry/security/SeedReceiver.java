package dev.ferry.security;

import dev.ferry.wire.FrameReader;
import dev.ferry.wire.FrameWriter;

import java.io.IOException;

/**
 * The server side of one seed session (PROTOCOL.md section 2): answers AUTH, takes KEY, and
 * decodes each DATA frame, which carries one whole file. Used by one connection thread.
 */
public interface SeedReceiver {
    /** AUTH (mode 3): answers in the seed layout. Plugins without authentication refuse it. */
    void onAuth(byte[] message, FrameWriter out) throws IOException;

    /** KEY (mode 4): takes the wrapped session key. Plugins without one refuse it. */
    void onKey(byte[] wrapped) throws IOException;

    /** The largest DATA payload that carries a file of {@code fileSize} bytes in this protocol's encoding. */
    default long maxEncodedLength(long fileSize) {
        return fileSize;
    }

    /** Null when DATA may be stored now; otherwise why not (e.g. "AUTH is required before DATA"). */
    String dataRefusal();

    /**
     * DATA (mode 1): reads exactly {@code length} payload bytes from {@code in} (whose length was
     * already checked) and writes the decoded file to {@code sink}, in bounded pieces.
     */
    void decodeFile(FrameReader in, int length, ByteSink sink) throws IOException;

    /** Copies a raw DATA payload (plain, ap) to the sink in bounded pieces. */
    static void copy(FrameReader in, int length, ByteSink sink) throws IOException {
        byte[] piece = new byte[Math.min(64 * 1024, Math.max(length, 1))];
        for (int remaining = length; remaining > 0; ) {
            int n = Math.min(piece.length, remaining);
            in.readBody(piece, 0, n, "DATA");
            sink.write(piece, 0, n);
            remaining -= n;
        }
    }

    /** Where decoded bytes go. */
    @FunctionalInterface
    interface ByteSink {
        void write(byte[] bytes, int offset, int length) throws IOException;
    }
}

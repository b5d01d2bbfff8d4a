package dev.ferry.testing.seed;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The framing the original programs write (PROTOCOL.md section 1): {@code MODE:u64}, then for
 * modes with a payload {@code u64 length} and the bytes; every integer an 8-byte big-endian word.
 * Reads exactly the bytes of one field, never ahead, as the originals' {@code read_bytes} does.
 */
final class SeedFrames {
    static final long FILE = 0;
    static final long DATA = 1;
    static final long CLOSE = 2;
    static final long AUTH = 3;
    static final long KEY = 4;

    /** The originals have no limit; the stand-ins refuse a larger length instead of allocating it. */
    static final long MAX_LENGTH = 64L << 20;

    private SeedFrames() {
    }

    static void writeFrame(DataOutputStream out, long mode, byte[] payload) throws IOException {
        out.writeLong(mode);
        writeSized(out, payload);
    }

    /** {@code u64 length, bytes}: M1 and M2 of a frame, or one field of the AUTH answer. */
    static void writeSized(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeLong(bytes.length);
        out.write(bytes);
    }

    static byte[] readSized(DataInputStream in, String what) throws IOException {
        long length = in.readLong();
        if (length < 0 || length > MAX_LENGTH) {
            throw new IOException(what + " length " + Long.toUnsignedString(length) + " exceeds the stand-in's limit of "
                    + MAX_LENGTH + " bytes");
        }
        byte[] bytes = new byte[(int) length];
        in.readFully(bytes);
        return bytes;
    }
}

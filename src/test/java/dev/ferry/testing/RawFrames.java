package dev.ferry.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Builds client-to-server bytes by hand from PROTOCOL.md section 1, with no project code. */
public final class RawFrames {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    public RawFrames u64(long value) {
        bytes.writeBytes(ByteBuffer.allocate(8).putLong(value).array());
        return this;
    }

    public RawFrames frame(long mode, byte[] payload) {
        u64(mode).u64(payload.length);
        bytes.writeBytes(payload);
        return this;
    }

    public RawFrames frame(long mode, String payload) {
        return frame(mode, payload.getBytes(StandardCharsets.UTF_8));
    }

    public RawFrames raw(byte[] payload) {
        bytes.writeBytes(payload);
        return this;
    }

    public byte[] toByteArray() {
        return bytes.toByteArray();
    }
}

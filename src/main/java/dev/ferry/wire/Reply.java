package dev.ferry.wire;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** A server REPLY frame as read from the wire: the status and the (still sealed) payload. */
public record Reply(ReplyStatus status, byte[] payload) {
    public Reply {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(payload, "payload");
    }

    public String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }
}

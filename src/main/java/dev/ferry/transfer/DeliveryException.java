package dev.ferry.transfer;

import dev.ferry.wire.ReplyStatus;

import java.util.Objects;

/**
 * The server cannot take a file, for a reason the client is told in a REPLY: a refused name
 * (BAD_REQUEST), a full or unwritable inbox (UNAVAILABLE), a name that exists under
 * {@code on-conflict = reject} (BAD_REQUEST). The connection stays usable.
 */
public class DeliveryException extends Exception {
    private final ReplyStatus status;

    public DeliveryException(ReplyStatus status, String message) {
        super(message);
        this.status = Objects.requireNonNull(status, "status");
    }

    public DeliveryException(ReplyStatus status, String message, Throwable cause) {
        super(message, cause);
        this.status = Objects.requireNonNull(status, "status");
    }

    public ReplyStatus status() {
        return status;
    }
}

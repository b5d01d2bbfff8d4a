package dev.ferry.client;

import java.io.IOException;

/** Thrown by {@link OutboxLock#acquire} when another Ferry client already holds the outbox. */
public final class OutboxLockedException extends IOException {

    public OutboxLockedException(String message) {
        super(message);
    }
}

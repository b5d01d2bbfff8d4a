package dev.ferry.transfer;

import java.io.InterruptedIOException;
import java.util.HashSet;
import java.util.Set;

/**
 * The file versions (COMMIT ids, hex) that the sessions of one server are committing. A version
 * sent again before its first copy's receipt is recorded (a client that lost the acknowledgement
 * and sent the file again, on the same connection or on another one) waits here for that commit,
 * and is then answered {@code duplicate=} by the receipt instead of being stored a second time.
 *
 * <p>Thread-safe: claimed on a connection's thread, released on the commit thread (or the
 * connection's thread when the version needs no commit).
 */
public final class VersionsInCommit {
    private final Set<String> ids = new HashSet<>();

    /** Waits until no session commits {@code id}, then claims it; the caller must {@link #release} it. */
    synchronized void claim(String id) throws InterruptedIOException {
        while (!ids.add(id)) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while the same file version was being committed");
            }
        }
    }

    /** Ends the claim on {@code id}: a session waiting for it now decides on the receipt. */
    synchronized void release(String id) {
        ids.remove(id);
        notifyAll();
    }
}

package dev.ferry.transfer;

import dev.ferry.wire.ReplyStatus;

import java.util.Objects;

/**
 * How one file ended on the server side of a session, for the server's metrics and audit log. An
 * immutable value; made on the connection's thread.
 *
 * @param verdict  stored, answered as a duplicate, or refused
 * @param name     the name the client sent (a seed client's typed path)
 * @param storedAs the name in the inbox (for a duplicate, the one it was stored under before); null when refused
 * @param size     bytes received (stored, duplicate), or announced (refused); -1 when not known (a refused seed file)
 * @param sha256   the SHA-256 of the content, lower-case hex; null when refused
 * @param protocol the security protocol of the session
 * @param client   the name the client proved with its certificate, or null
 * @param seed     a seed session (the original programs' protocol)
 * @param nanos    time from the file's first frame to the verdict
 * @param status   the REPLY status of a refusal; null otherwise
 * @param reason   why it was refused (the full reason, even when the REPLY withholds it); null otherwise
 */
public record ReceivedFile(Verdict verdict, String name, String storedAs, long size, String sha256, String protocol,
                           String client, boolean seed, long nanos, ReplyStatus status, String reason) {
    /** How a file ended. */
    public enum Verdict {
        /** Verified, forced to disk and published in the inbox. */
        STORED,
        /** A version the server already had (sent again after a lost acknowledgement): not stored twice. */
        DUPLICATE,
        /** Not stored; the client was told why (or, in a seed session, the file was skipped). */
        REFUSED
    }

    public ReceivedFile {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(protocol, "protocol");
        if ((verdict == Verdict.REFUSED) != (storedAs == null && sha256 == null && status != null && reason != null)) {
            throw new IllegalArgumentException("a refused file has a status and a reason and no stored name or"
                    + " digest; a stored one the opposite: " + verdict + " storedAs=" + storedAs + " status=" + status);
        }
    }

    static ReceivedFile stored(String name, String storedAs, long size, String sha256, String protocol, String client,
                               boolean seed, long startNanos) {
        return new ReceivedFile(Verdict.STORED, name, storedAs, size, sha256, protocol, client, seed,
                System.nanoTime() - startNanos, null, null);
    }

    static ReceivedFile duplicate(String name, String storedAs, long size, String sha256, String protocol,
                                  String client, long startNanos) {
        return new ReceivedFile(Verdict.DUPLICATE, name, storedAs, size, sha256, protocol, client, false,
                System.nanoTime() - startNanos, null, null);
    }

    static ReceivedFile refused(String name, long size, String protocol, String client, boolean seed,
                                long startNanos, ReplyStatus status, String reason) {
        return new ReceivedFile(Verdict.REFUSED, name, null, size, null, protocol, client, seed,
                System.nanoTime() - startNanos, status, reason);
    }
}

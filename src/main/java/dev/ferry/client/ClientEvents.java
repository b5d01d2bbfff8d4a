package dev.ferry.client;

import java.util.function.IntSupplier;

/**
 * What the client agent tells its observer (the metrics, when they are on): connections, files
 * delivered, failed or sent again. Called from the agent's threads ({@code ferry-send},
 * {@code ferry-replies-N}) at any time, so implementations are thread-safe and quick; they never throw.
 */
public interface ClientEvents {
    /** Why a connection to the server could not be opened or its handshake failed. */
    enum ConnectFailure {
        /** No TCP connection: the server is down, the address is wrong, a firewall drops it, a timeout. */
        UNREACHABLE,
        /** The server answered but refused the session: protocol not accepted, or busy. */
        REFUSED,
        /** The server's certificate or signature did not verify, or it refused the client's certificate. */
        AUTHENTICATION,
        /** The server broke the protocol (it may not be a Ferry server). */
        PROTOCOL,
        /** The connection broke during the handshake. */
        BROKEN
    }

    /** Why a file goes to the failed folder. */
    enum Failure {
        /** Larger than the server accepts. */
        TOO_LARGE,
        /** The server refused its name (or it exists under {@code on-conflict = reject}). */
        BAD_REQUEST,
        /** Corrupted in transit more than {@code integrity-retries} times. */
        INTEGRITY,
        /** The client cannot read it. */
        UNREADABLE
    }

    /** Why a file was not delivered this time and will be sent again. */
    enum Retry {
        /** The connection failed while it was being sent or waiting for its confirmation. */
        CONNECTION,
        /** The server was busy or could not write it (REFUSED, UNAVAILABLE). */
        BUSY,
        /** It changed while it was being sent. */
        CHANGED,
        /** The server found its data corrupted in transit. */
        INTEGRITY
    }

    /**
     * The agent runs; the suppliers give the files waiting in the outbox (not yet being sent), the
     * files being sent or waiting for their confirmation, and the open connections, read whenever
     * the metrics are scraped.
     */
    void started(IntSupplier queued, IntSupplier inFlight, IntSupplier connections);

    /** The agent stopped. */
    void stopped();

    /** A session with the server is open (the handshake succeeded). */
    void connected();

    /** Opening a session failed; {@code detail} is the error as logged. */
    void connectFailed(ConnectFailure reason, String detail);

    /** Bytes of file data written to the connection (re-sends included). */
    void sent(long bytes);

    /** The server confirmed a file ({@code bytes} long) {@code nanos} after it started to be sent. */
    void delivered(long bytes, long nanos);

    /** A file was moved to the failed folder. */
    void failed(Failure reason);

    /** A file was not delivered this time; it stays in the outbox and is sent again. */
    void retried(Retry reason);

    /** Events nobody observes: metrics off, tests. */
    ClientEvents NONE = new ClientEvents() {
        @Override
        public void started(IntSupplier queued, IntSupplier inFlight, IntSupplier connections) {
        }

        @Override
        public void stopped() {
        }

        @Override
        public void connected() {
        }

        @Override
        public void connectFailed(ConnectFailure reason, String detail) {
        }

        @Override
        public void sent(long bytes) {
        }

        @Override
        public void delivered(long bytes, long nanos) {
        }

        @Override
        public void failed(Failure reason) {
        }

        @Override
        public void retried(Retry reason) {
        }
    };
}

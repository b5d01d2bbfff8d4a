package dev.ferry.server;

import dev.ferry.transfer.ReceivedFile;

import java.util.function.IntSupplier;

/**
 * What the server agent tells its observer (the metrics, when they are on): connections, failed
 * handshakes and every file's verdict. Called from the agent's threads ({@code ferry-accept},
 * {@code ferry-conn-N}) at any time, so implementations are thread-safe and quick; they never throw.
 */
public interface ServerEvents {
    /** Why a connection ended before its handshake did. */
    enum HandshakeFailure {
        /** No complete handshake within {@code handshake-timeout}. */
        TIMEOUT,
        /** The server refused the HELLO: a protocol it does not accept, or an unknown Ferry version. */
        REFUSED,
        /** Authentication failed: a client certificate missing, not trusted or not allowed, a bad signature. */
        AUTHENTICATION,
        /** The peer broke the protocol (not Ferry, or a malformed message). */
        PROTOCOL,
        /** The peer closed the connection or the network failed (port scans and TCP health checks land here). */
        CLOSED
    }

    /**
     * The agent is listening; the suppliers give the open connections and the files being
     * received now, read whenever the metrics are scraped.
     */
    void started(IntSupplier connections, IntSupplier receiving);

    /** The agent stopped. */
    void stopped();

    /** The listening socket failed: the agent no longer accepts connections. */
    void acceptFailed(String reason);

    /** A connection was closed at once because {@code max-connections} were open. */
    void connectionRejected();

    void handshakeFailed(HandshakeFailure reason);

    /** A file was stored, answered as a duplicate, or refused. */
    void finished(ReceivedFile file);

    /** Events nobody observes: metrics off, tests. */
    ServerEvents NONE = new ServerEvents() {
        @Override
        public void started(IntSupplier connections, IntSupplier receiving) {
        }

        @Override
        public void stopped() {
        }

        @Override
        public void acceptFailed(String reason) {
        }

        @Override
        public void connectionRejected() {
        }

        @Override
        public void handshakeFailed(HandshakeFailure reason) {
        }

        @Override
        public void finished(ReceivedFile file) {
        }
    };
}

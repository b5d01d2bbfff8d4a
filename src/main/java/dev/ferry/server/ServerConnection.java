package dev.ferry.server;

import dev.ferry.config.ServerSettings;
import dev.ferry.security.HandshakeException;
import dev.ferry.transfer.HelloRefusedException;
import dev.ferry.transfer.ReceivedFile;
import dev.ferry.transfer.ReceptionLimits;
import dev.ferry.transfer.ServerProtocols;
import dev.ferry.transfer.ServerSession;
import dev.ferry.transfer.SessionListener;
import dev.ferry.transfer.Store;
import dev.ferry.transfer.VersionsInCommit;
import dev.ferry.wire.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One accepted connection of the server agent, served on a worker thread ({@code ferry-conn-N})
 * from its first frame to its end: runs the {@link ServerSession}, keeps the deadlines per phase
 * (checked from {@code ferry-deadlines}), counts and logs how it ended, and resets a failed seed
 * session. Its socket may be closed from other threads (deadlines, eviction, shutdown).
 */
final class ServerConnection implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ServerAgent.class);

    /** What every connection of one server agent shares. */
    record Shared(ServerSettings settings, ServerProtocols protocols, Store store, SecureRandom random,
                  ServerEvents events, AuditLog audit, AtomicInteger receiving, BooleanSupplier stopping,
                  Consumer<ServerConnection> ended, Executor commits, VersionsInCommit versions) {
    }

    private final Socket socket;
    private final String peer;
    private final int id;
    private final ServerSettings settings;
    private final ServerProtocols protocols;
    private final Store store;
    private final SecureRandom random;
    private final ServerEvents events;
    private final AuditLog audit;
    private final AtomicInteger receiving;
    private final BooleanSupplier stopping;
    private final Consumer<ServerConnection> ended;
    private final Executor commits;
    private final VersionsInCommit versions;
    private final long acceptedNanos = System.nanoTime();
    private volatile boolean handshakeDone;
    private volatile boolean fileOpen;
    /** Files of this connection being committed on commit threads. */
    private final AtomicInteger committing = new AtomicInteger();
    private volatile long frameStartNanos;
    /** When the frame being read must be complete; 0 between frames. */
    private volatile long frameDeadlineNanos;
    /** Why the deadline checker cut the connection, for its one log line. */
    private volatile String cutReason;

    ServerConnection(Socket socket, int id, Shared shared) {
        this.socket = socket;
        this.id = id;
        this.peer = String.valueOf(socket.getRemoteSocketAddress());
        this.settings = shared.settings();
        this.protocols = shared.protocols();
        this.store = shared.store();
        this.random = shared.random();
        this.events = shared.events();
        this.audit = shared.audit();
        this.receiving = shared.receiving();
        this.stopping = shared.stopping();
        this.ended = shared.ended();
        this.commits = shared.commits();
        this.versions = shared.versions();
    }

    long acceptedNanos() {
        return acceptedNanos;
    }

    boolean handshakeDone() {
        return handshakeDone;
    }

    /** True once the deadline checker or an eviction cut it (it leaves the agent's set a moment later). */
    boolean isCut() {
        return cutReason != null;
    }

    /** Deadlines per phase: the whole handshake, then each frame (idle time between frames is the socket's timeout). */
    void checkDeadlines(long now) {
        if (!handshakeDone && now - acceptedNanos > settings.handshakeTimeout().toNanos()) {
            cut("no handshake within " + settings.handshakeTimeout().toMillis()
                    + "ms (ferry.server.handshake-timeout)");
        }
        long frameDeadline = frameDeadlineNanos;
        if (frameDeadline != 0 && now - frameDeadline > 0) {
            cut("too slow: a frame was not complete in time (ferry.server.frame-timeout plus the frame's size"
                    + " at ferry.server.min-rate)");
        }
    }

    void cut(String reason) {
        if (cutReason == null) {
            cutReason = reason;
        }
        closeQuietly(socket);
    }

    @Override
    public void run() {
        ServerSession session = null;
        boolean orderly = false;
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, settings.idleTimeout().toMillis()));
            SessionEvents listener = new SessionEvents();
            ServerSession.Context context = new ServerSession.Context(peer, protocols, store,
                    new ReceptionLimits(settings.maxFileSize(), settings.maxBlock(), settings.seedMaxFileSize()),
                    listener, random, commits, versions);
            log.debug("connection opened id={} peer={}", id, peer);
            session = new ServerSession(socket.getInputStream(), socket.getOutputStream(), context);
            session.run();
            orderly = true;
            if (!handshakeDone && !stopping.getAsBoolean()) {
                events.handshakeFailed(ServerEvents.HandshakeFailure.CLOSED);
            }
        } catch (SocketTimeoutException e) {
            handshakeFailed(e);
            log.warn("connection closed peer={} reason=\"idle for {}ms (ferry.server.idle-timeout)\"", peer,
                    settings.idleTimeout().toMillis());
        } catch (ProtocolException e) {
            handshakeFailed(e);
            log.warn("connection closed peer={} reason=\"{}\"", peer, e.getMessage());
        } catch (IOException e) {
            handshakeFailed(e);
            if (cutReason != null) {
                log.warn("connection closed peer={} reason=\"{}\"", peer, cutReason);
            } else if (stopping.getAsBoolean() || e instanceof SocketException) {
                log.debug("connection ended peer={} reason=\"{}\"", peer, e.getMessage());
            } else {
                log.warn("connection failed peer={} reason=\"{}\"", peer, e.getMessage());
            }
        } catch (RuntimeException e) {
            if (!handshakeDone) {
                events.handshakeFailed(ServerEvents.HandshakeFailure.PROTOCOL);
            }
            log.error("connection failed peer={}", peer, e);
        } finally {
            if (fileOpen) {
                fileOpen = false;
                receiving.decrementAndGet();
            }
            if (!orderly && session != null && session.seed()) {
                reset();
            }
            closeQuietly(socket);
            ended.accept(this);
            log.debug("connection closed id={} peer={}", id, peer);
        }
    }

    /** Closes with a reset (RST) instead of an orderly end, so a seed client cannot mistake it for success. */
    private void reset() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            log.debug("reset not set: {}", e.toString());
        }
    }

    /** Counts a connection that ended before its handshake did, by why. */
    private void handshakeFailed(IOException e) {
        if (handshakeDone || stopping.getAsBoolean()) {
            return;
        }
        ServerEvents.HandshakeFailure reason;
        if (e instanceof SocketTimeoutException || socket.isClosed()) {
            // Cut by the deadline checker (handshake-timeout), or silent past idle-timeout.
            reason = ServerEvents.HandshakeFailure.TIMEOUT;
        } else if (e instanceof HelloRefusedException) {
            reason = ServerEvents.HandshakeFailure.REFUSED;
        } else if (e instanceof HandshakeException) {
            reason = ServerEvents.HandshakeFailure.AUTHENTICATION;
        } else if (e instanceof ProtocolException) {
            reason = ServerEvents.HandshakeFailure.PROTOCOL;
        } else {
            reason = ServerEvents.HandshakeFailure.CLOSED;
        }
        events.handshakeFailed(reason);
    }

    /** Closes the connection unless a file is open or being committed (shutdown gives those its grace). */
    void closeIfIdle() {
        if (!fileOpen && committing.get() == 0) {
            closeQuietly(socket);
        }
    }

    void close() {
        closeQuietly(socket);
    }

    /** The session's view of this connection. */
    private final class SessionEvents implements SessionListener {
        @Override
        public void handshakeDone(String protocol) {
            handshakeDone = true;
        }

        @Override
        public void fileOpen(boolean open) {
            if (open != fileOpen) {
                receiving.addAndGet(open ? 1 : -1);
            }
            fileOpen = open;
        }

        @Override
        public void committing(boolean started) {
            committing.addAndGet(started ? 1 : -1);
        }

        @Override
        public void finished(ReceivedFile file) {
            audit.record(file, peer);
            events.finished(file);
        }

        @Override
        public boolean stopRequested() {
            return stopping.getAsBoolean();
        }

        @Override
        public void frameStarted() {
            frameStartNanos = System.nanoTime();
            frameDeadlineNanos = frameStartNanos + settings.frameTimeout().toNanos();
        }

        @Override
        public void payloadExpected(long bytes) {
            long transfer = (long) (bytes * 1e9 / settings.minRate());
            frameDeadlineNanos = frameStartNanos + settings.frameTimeout().toNanos() + transfer;
        }

        @Override
        public void frameEnded() {
            frameDeadlineNanos = 0;
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            log.debug("close failed: {}", e.toString());
        }
    }
}

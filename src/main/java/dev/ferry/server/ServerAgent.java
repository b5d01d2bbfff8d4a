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
import dev.ferry.wire.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server agent: listens, serves up to {@code max-connections} clients at once (each on a
 * thread {@code ferry-conn-N}), and stores what they push into the inbox. A connection beyond the
 * limit is closed at once; a client that does not finish its handshake in time is dropped.
 *
 * <p>{@link #start()} and {@link #close()} are called by the owner's thread; close stops
 * accepting, lets files being received finish within {@code shutdown-grace}, and discards the rest.
 * Every file's verdict goes to the {@link AuditLog} ({@code inbox/.ferry/audit.log}) and, with
 * connections and failed handshakes, to the {@link ServerEvents} given at construction.
 */
public final class ServerAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServerAgent.class);
    private static final long DEADLINE_CHECK_MILLIS = 200;

    private final ServerSettings settings;
    private final ServerProtocols protocols;
    private final Inbox inbox;
    private final Receipts receipts;
    private final Store store;
    private final AuditLog audit;
    private final ServerEvents events;
    private final SecureRandom random = new SecureRandom();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger receiving = new AtomicInteger();
    private final AtomicInteger connectionIds = new AtomicInteger();
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService deadlines;
    private ServerSocket listener;
    private Thread acceptor;
    private volatile boolean stopping;

    /** A server whose events nobody observes. */
    public ServerAgent(ServerSettings settings, ServerProtocols protocols) throws IOException {
        this(settings, protocols, ServerEvents.NONE);
    }

    public ServerAgent(ServerSettings settings, ServerProtocols protocols, ServerEvents events) throws IOException {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.protocols = Objects.requireNonNull(protocols, "protocols");
        this.events = Objects.requireNonNull(events, "events");
        this.inbox = new Inbox(settings.inbox(), settings.onConflict());
        this.receipts = Receipts.open(inbox.root().resolve(Inbox.WORK_DIR).resolve("receipts.log"),
                settings.receiptsRetention(), Clock.systemUTC());
        for (Inbox.Recovered file : inbox.recoverCommitted()) {
            // Published by a run that died before recording the receipt.
            receipts.record(HexFormat.of().parseHex(file.receipt()), file.relativeName());
            inbox.forget(file.marker());
            log.info("receipt recovered file={} (stored just before the previous run stopped)", file.relativeName());
        }
        PartialFiles partials = new PartialFiles(inbox.root().resolve(Inbox.WORK_DIR).resolve("partial"),
                settings.resumeCheckpoint());
        partials.removeStale(settings.resumeRetention(), Clock.systemUTC());
        this.store = new InboxStore(inbox, receipts, partials, settings.minFreeSpace());
        this.audit = AuditLog.open(inbox.root().resolve(Inbox.WORK_DIR).resolve(AuditLog.FILE_NAME),
                Clock.systemUTC());
        AtomicInteger threads = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(settings.maxConnections(), settings.maxConnections(), 30,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> new Thread(r, "ferry-conn-" + threads.incrementAndGet()));
        this.workers.allowCoreThreadTimeOut(true);
        this.deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ferry-deadlines");
            t.setDaemon(true);
            return t;
        });
    }

    /** Binds the listening socket and starts accepting. */
    public void start() throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.setReceiveBufferSize(1024 * 1024);
        try {
            socket.bind(new InetSocketAddress(settings.host(), settings.port()), 128);
        } catch (IOException e) {
            socket.close();
            throw new IOException("cannot listen on " + settings.host() + ":" + settings.port() + ": " + e.getMessage()
                    + " (is another server running? change ferry.server.port)", e);
        }
        listener = socket;
        deadlines.scheduleAtFixedRate(this::checkDeadlines, DEADLINE_CHECK_MILLIS, DEADLINE_CHECK_MILLIS,
                TimeUnit.MILLISECONDS);
        acceptor = new Thread(this::acceptLoop, "ferry-accept");
        acceptor.start();
        events.started(connections::size, receiving::get);
        log.info("server listening address={}:{} inbox={} protocols={} seed-protocol={}", settings.host(), port(),
                inbox.root(), String.join(",", protocols.accepted().keySet()), protocols.seedProtocol());
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return listener.getLocalPort();
    }

    public Inbox inbox() {
        return inbox;
    }

    private void acceptLoop() {
        while (!stopping) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (!stopping) {
                    log.error("accept failed, server stops listening: {}", e.toString());
                    events.acceptFailed(e.toString());
                }
                return;
            }
            if (liveConnections() >= settings.maxConnections() && !evictOneWithoutHandshake()) {
                log.warn("connection refused peer={} reason=\"{} connections already (ferry.server.max-connections)\"",
                        socket.getRemoteSocketAddress(), settings.maxConnections());
                events.connectionRejected();
                closeQuietly(socket);
                continue;
            }
            Connection connection = new Connection(socket, connectionIds.incrementAndGet());
            connections.add(connection);
            workers.execute(connection);
        }
    }

    /**
     * When the server is full, makes room by cutting the oldest connection that has not finished its
     * handshake: idle or slow connections from anyone then cannot keep an authenticated client out.
     */
    private boolean evictOneWithoutHandshake() {
        Connection oldest = null;
        for (Connection connection : connections) {
            if (!connection.handshakeDone && connection.cutReason == null
                    && (oldest == null || connection.acceptedNanos < oldest.acceptedNanos)) {
                oldest = connection;
            }
        }
        if (oldest == null) {
            return false;
        }
        oldest.cut("the server is full (ferry.server.max-connections) and this connection had not finished its"
                + " handshake");
        return true;
    }

    /** Connections not already cut (a cut one leaves the set when its thread ends, a moment later). */
    private long liveConnections() {
        return connections.stream().filter(connection -> connection.cutReason == null).count();
    }

    private void checkDeadlines() {
        long now = System.nanoTime();
        connections.forEach(connection -> connection.checkDeadlines(now));
    }

    /** Stops accepting, waits up to shutdown-grace for open files, then closes every connection. */
    @Override
    public void close() {
        stopping = true;
        if (listener != null) {
            closeQuietly(listener);
        }
        connections.forEach(Connection::closeIfIdle);
        long deadline = System.nanoTime() + settings.shutdownGrace().toNanos();
        while (!connections.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            connections.forEach(Connection::closeIfIdle);
        }
        connections.forEach(Connection::close);
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("connection threads still running after shutdown");
            }
            if (acceptor != null) {
                acceptor.join(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deadlines.shutdownNow();
        closeQuietly(receipts);
        closeQuietly(audit);
        events.stopped();
        log.info("server stopped");
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            log.debug("close failed: {}", e.toString());
        }
    }

    /** One accepted connection, served on a worker thread. */
    private final class Connection implements Runnable {
        private final Socket socket;
        private final String peer;
        private final int id;
        private final long acceptedNanos = System.nanoTime();
        private volatile boolean handshakeDone;
        private volatile boolean fileOpen;
        private volatile long frameStartNanos;
        /** When the frame being read must be complete; 0 between frames. */
        private volatile long frameDeadlineNanos;
        /** Why the deadline checker cut the connection, for its one log line. */
        private volatile String cutReason;

        Connection(Socket socket, int id) {
            this.socket = socket;
            this.id = id;
            this.peer = String.valueOf(socket.getRemoteSocketAddress());
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
                        listener, random);
                log.debug("connection opened id={} peer={}", id, peer);
                session = new ServerSession(socket.getInputStream(), socket.getOutputStream(), context);
                session.run();
                orderly = true;
                if (!handshakeDone && !stopping) {
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
                } else if (stopping || e instanceof SocketException) {
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
                connections.remove(this);
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
            if (handshakeDone || stopping) {
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

        void closeIfIdle() {
            if (!fileOpen) {
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
            public void finished(ReceivedFile file) {
                audit.record(file, peer);
                events.finished(file);
            }

            @Override
            public boolean stopRequested() {
                return stopping;
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
    }
}

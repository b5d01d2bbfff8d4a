package dev.ferry.server;

import dev.ferry.config.ServerSettings;
import dev.ferry.transfer.ServerProtocols;
import dev.ferry.transfer.Store;
import dev.ferry.transfer.VersionsInCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
 * The server agent: listens, serves up to {@code max-connections} clients at once (each a
 * {@link ServerConnection} on a thread {@code ferry-conn-N}), and stores what they push into the
 * inbox. When full, it cuts the oldest connection that has not finished its handshake, or closes the
 * newcomer; {@code ferry-deadlines} enforces the handshake and per-frame deadlines.
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
    private final Set<ServerConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger receiving = new AtomicInteger();
    private final AtomicInteger connectionIds = new AtomicInteger();
    private final ServerConnection.Shared shared;
    private final ThreadPoolExecutor workers;
    private final ThreadPoolExecutor commits;
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
        AtomicInteger committers = new AtomicInteger();
        // Unbounded queue: each session bounds what it hands over (NativeReception.MAX_COMMITTING).
        this.commits = new ThreadPoolExecutor(settings.commitThreads(), settings.commitThreads(), 30,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> new Thread(r, "ferry-commit-" + committers.incrementAndGet()));
        this.commits.allowCoreThreadTimeOut(true);
        this.shared = new ServerConnection.Shared(settings, protocols, store, random, events, audit, receiving,
                () -> stopping, connections::remove, commits, new VersionsInCommit());
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
            ServerConnection connection = new ServerConnection(socket, connectionIds.incrementAndGet(), shared);
            connections.add(connection);
            workers.execute(connection);
        }
    }

    /**
     * When the server is full, makes room by cutting the oldest connection that has not finished its
     * handshake: idle or slow connections from anyone then cannot keep an authenticated client out.
     */
    private boolean evictOneWithoutHandshake() {
        ServerConnection oldest = null;
        for (ServerConnection connection : connections) {
            if (!connection.handshakeDone() && !connection.isCut()
                    && (oldest == null || connection.acceptedNanos() < oldest.acceptedNanos())) {
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
        return connections.stream().filter(connection -> !connection.isCut()).count();
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
        connections.forEach(ServerConnection::closeIfIdle);
        long deadline = System.nanoTime() + settings.shutdownGrace().toNanos();
        while (!connections.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            connections.forEach(ServerConnection::closeIfIdle);
        }
        connections.forEach(ServerConnection::close);
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("connection threads still running after shutdown");
            }
            // Each connection waited for its own commits; this only ends the idle commit threads.
            commits.shutdown();
            if (!commits.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("commit threads still running after shutdown");
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
}

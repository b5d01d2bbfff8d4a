package dev.ferry.client;

import dev.ferry.config.ClientSettings;
import dev.ferry.security.ClientSecurity;
import dev.ferry.security.HandshakeException;
import dev.ferry.transfer.Outcome;
import dev.ferry.transfer.Pusher;
import dev.ferry.transfer.SeedPusher;
import dev.ferry.transfer.SessionRefusedException;
import dev.ferry.transfer.SourceFile;
import dev.ferry.wire.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Takes ready files from the queue and pushes them over one connection, opened when needed,
 * reused for many files, closed after {@code idle-close} with nothing to send, and reopened with
 * backoff when it breaks. In compat mode each batch of ready files goes in one seed session. Runs
 * on its own thread ({@code ferry-send}); outcomes are reported to the {@link Listener} from the
 * connection's reply thread. Connections, bytes sent and confirmed deliveries go to the
 * {@link ClientEvents}; the agent reports the rest of the outcomes, which it decides.
 */
final class Sender implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Sender.class);

    /** Where outcomes go; called from the reply thread or the sender thread. */
    interface Listener {
        void finished(OutboxFile file, Outcome outcome);

        /** The file was not delivered because the connection failed or the agent stops: it must be sent again. */
        void notDelivered(OutboxFile file, String why);
    }

    private final ClientSettings settings;
    private final String protocol;
    private final ClientSecurity security;
    private final BlockingQueue<OutboxFile> queue;
    private final Listener listener;
    private final ClientEvents events;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final SeedPusher seedPusher;
    private final Backoff backoff;
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile boolean serverBusy;
    private volatile Pusher pusher;
    private long lastSendNanos;

    Sender(ClientSettings settings, String protocol, ClientSecurity security, BlockingQueue<OutboxFile> queue,
           Listener listener, ClientEvents events) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.security = Objects.requireNonNull(security, "security");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.events = Objects.requireNonNull(events, "events");
        Objects.requireNonNull(listener, "listener");
        // Every file taken from the queue ends in exactly one of these two calls: the in-flight count.
        this.listener = new Listener() {
            @Override
            public void finished(OutboxFile file, Outcome outcome) {
                inFlight.decrementAndGet();
                listener.finished(file, outcome);
            }

            @Override
            public void notDelivered(OutboxFile file, String why) {
                inFlight.decrementAndGet();
                listener.notDelivered(file, why);
            }
        };
        this.seedPusher = settings.compat() ? new SeedPusher(security, settings.compatMaxFileSize()) : null;
        this.backoff = new Backoff(settings.retryInitial(), settings.retryMax(), ThreadLocalRandom.current());
    }

    /** Asks the thread to stop; files in flight get up to {@code shutdown-grace} to be confirmed. */
    void stop() {
        stop.countDown();
    }

    /** Cuts the connection of a file still in flight after the grace period (called from another thread). */
    void abort() {
        Pusher current = pusher;
        if (current != null) {
            current.abort();
        }
    }

    /** Files taken from the queue and not yet finished: being sent or waiting for their confirmation. */
    int inFlight() {
        return Math.max(0, inFlight.get());
    }

    /** 1 while a connection to the server is open and healthy, else 0. */
    int connections() {
        Pusher current = pusher;
        return current != null && !current.failed() ? 1 : 0;
    }

    /** The server said it is busy or refused the session: wait (with backoff) before the next file. */
    void serverBusy() {
        serverBusy = true;
    }

    @Override
    public void run() {
        try {
            while (stop.getCount() > 0) {
                OutboxFile file = queue.poll(100, TimeUnit.MILLISECONDS);
                if (file == null) {
                    closeIfIdle();
                    continue;
                }
                inFlight.incrementAndGet();
                if (serverBusy) {
                    serverBusy = false;
                    pause(backoff.next());
                }
                if (seedPusher != null) {
                    sendSeedSession(file);
                } else {
                    send(file);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            shutdown();
        }
    }

    private void send(OutboxFile file) throws InterruptedException {
        while (stop.getCount() > 0) {
            if (pusher == null && !connect()) {
                continue;
            }
            long start = System.nanoTime();
            try {
                pusher.push(source(file), bytesSent()).whenComplete((outcome, error) -> {
                    if (error != null) {
                        if (stop.getCount() > 0) {
                            events.retried(ClientEvents.Retry.CONNECTION);
                        }
                        listener.notDelivered(file, error.getMessage());
                    } else {
                        if (outcome instanceof Outcome.Stored) {
                            events.delivered(file.size(), System.nanoTime() - start);
                        }
                        listener.finished(file, outcome);
                    }
                });
                lastSendNanos = System.nanoTime();
                return;
            } catch (IOException e) {
                log.warn("connection lost server={}:{} reason=\"{}\"", settings.serverHost(), settings.serverPort(),
                        e.getMessage());
                closePusher();
                events.retried(ClientEvents.Retry.CONNECTION);
                listener.notDelivered(file, e.getMessage());
                pause(backoff.next());
                return;
            }
        }
        listener.notDelivered(file, "the agent is stopping");
    }

    /** Progress of one file that counts its new bytes as sent (the first call gives the starting point). */
    private Pusher.Progress bytesSent() {
        long[] previous = {-1};
        return (sent, size) -> {
            if (previous[0] >= 0 && sent > previous[0]) {
                events.sent(sent - previous[0]);
            }
            previous[0] = sent;
        };
    }

    /**
     * Compat mode: one seed session with an original server for this file and every other ready
     * one. The original servers serve one connection and exit, so the batch is as large as the queue.
     */
    private void sendSeedSession(OutboxFile first) throws InterruptedException {
        List<OutboxFile> batch = new ArrayList<>();
        batch.add(first);
        int more = queue.drainTo(batch);
        inFlight.addAndGet(more);
        List<SourceFile> sources = batch.stream().map(Sender::source).toList();
        long start = System.nanoTime();
        boolean opened = false;
        try (Socket socket = openSocket()) {
            opened = true;
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, settings.replyTimeout().toMillis()));
            List<Outcome> outcomes = seedPusher.push(socket, sources);
            backoff.reset();
            events.connected();
            for (int i = 0; i < batch.size(); i++) {
                if (outcomes.get(i) instanceof Outcome.Stored) {
                    events.sent(batch.get(i).size());
                    events.delivered(batch.get(i).size(), System.nanoTime() - start);
                }
                listener.finished(batch.get(i), outcomes.get(i));
            }
        } catch (IOException e) {
            events.connectFailed(failure(e, opened), e.toString());
            batch.forEach(file -> events.retried(ClientEvents.Retry.CONNECTION));
            Duration wait = backoff.next();
            log.warn("seed session failed server={}:{} files={} reason=\"{}\"; they stay in the outbox, retry-in={}ms",
                    settings.serverHost(), settings.serverPort(), batch.size(), e.getMessage(), wait.toMillis());
            batch.forEach(file -> listener.notDelivered(file, e.getMessage()));
            pause(wait);
        }
    }

    private static SourceFile source(OutboxFile file) {
        return new SourceFile(file.path(), file.relativeName(), file.size(), file.mtimeMillis());
    }

    private Socket openSocket() throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSendBufferSize(1024 * 1024);
            socket.connect(new InetSocketAddress(settings.serverHost(), settings.serverPort()),
                    (int) settings.connectTimeout().toMillis());
            return socket;
        } catch (IOException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    /** Opens a connection; on failure waits (with backoff) and returns false. */
    private boolean connect() throws InterruptedException {
        Socket socket = null;
        try {
            socket = openSocket();
            pusher = Pusher.open(socket, security, new Pusher.Options(settings.name(), protocol,
                    settings.blockSize(), settings.window(), settings.replyTimeout(), settings.resumeThreshold()));
            backoff.reset();
            events.connected();
            log.info("connected server={}:{} protocol={}", settings.serverHost(), settings.serverPort(), protocol);
            return true;
        } catch (IOException e) {
            if (socket != null) {
                closeQuietly(socket);
            }
            Duration wait = backoff.next();
            // The peer's refusals read best as they are; a network error needs its type (ConnectException, ...).
            String reason = e instanceof ProtocolException ? e.getMessage() : e.toString();
            events.connectFailed(failure(e, socket != null && socket.isConnected()), reason);
            log.warn("server unavailable server={}:{} reason=\"{}\" retry-in={}ms", settings.serverHost(),
                    settings.serverPort(), reason, wait.toMillis());
            pause(wait);
            return false;
        }
    }

    /** Why opening a session failed; {@code connected}: the TCP connection was made. */
    static ClientEvents.ConnectFailure failure(IOException e, boolean connected) {
        if (e instanceof SessionRefusedException) {
            return ClientEvents.ConnectFailure.REFUSED;
        } else if (e instanceof HandshakeException) {
            return ClientEvents.ConnectFailure.AUTHENTICATION;
        } else if (e instanceof ProtocolException) {
            return ClientEvents.ConnectFailure.PROTOCOL;
        }
        return connected ? ClientEvents.ConnectFailure.BROKEN : ClientEvents.ConnectFailure.UNREACHABLE;
    }

    private void closeIfIdle() {
        if (pusher != null && pusher.failed()) {
            closePusher();
        } else if (pusher != null && pusher.idle()
                && System.nanoTime() - lastSendNanos > settings.idleClose().toNanos()) {
            log.debug("closing idle connection");
            closePusher();
        }
    }

    private void shutdown() {
        if (pusher != null) {
            try {
                pusher.awaitReplies(settings.shutdownGrace());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            closePusher();
        }
        for (OutboxFile file; (file = queue.poll()) != null; ) {
            listener.notDelivered(file, "the agent is stopping");
        }
    }

    private void closePusher() {
        if (pusher != null) {
            pusher.close();
            pusher = null;
        }
    }

    private void pause(Duration wait) throws InterruptedException {
        stop.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("socket close failed: {}", e.toString());
        }
    }
}

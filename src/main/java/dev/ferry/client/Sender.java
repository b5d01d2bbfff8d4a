package dev.ferry.client;

import dev.ferry.config.ClientSettings;
import dev.ferry.security.ClientSecurity;
import dev.ferry.transfer.Outcome;
import dev.ferry.transfer.Pusher;
import dev.ferry.transfer.SourceFile;
import dev.ferry.wire.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Takes ready files from the queue and pushes them over one connection, opened when needed,
 * reused for many files, closed after {@code idle-close} with nothing to send, and reopened with
 * backoff when it breaks. Runs on its own thread ({@code ferry-send}); outcomes are reported to
 * the {@link Listener} from the connection's reply thread.
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
    private final Backoff backoff;
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile boolean serverBusy;
    private Pusher pusher;
    private long lastSendNanos;

    Sender(ClientSettings settings, String protocol, ClientSecurity security, BlockingQueue<OutboxFile> queue,
           Listener listener) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.security = Objects.requireNonNull(security, "security");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.backoff = new Backoff(settings.retryInitial(), settings.retryMax(), ThreadLocalRandom.current());
    }

    /** Asks the thread to stop; files in flight get up to {@code shutdown-grace} to be confirmed. */
    void stop() {
        stop.countDown();
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
                if (serverBusy) {
                    serverBusy = false;
                    pause(backoff.next());
                }
                send(file);
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
            SourceFile source = new SourceFile(file.path(), file.relativeName(), file.size(), file.mtimeMillis());
            try {
                pusher.push(source).whenComplete((outcome, error) -> {
                    if (error != null) {
                        listener.notDelivered(file, error.getMessage());
                    } else {
                        listener.finished(file, outcome);
                    }
                });
                lastSendNanos = System.nanoTime();
                return;
            } catch (IOException e) {
                log.warn("connection lost server={}:{} reason=\"{}\"", settings.serverHost(), settings.serverPort(),
                        e.getMessage());
                closePusher();
                listener.notDelivered(file, e.getMessage());
                pause(backoff.next());
                return;
            }
        }
        listener.notDelivered(file, "the agent is stopping");
    }

    /** Opens a connection; on failure waits (with backoff) and returns false. */
    private boolean connect() throws InterruptedException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSendBufferSize(1024 * 1024);
            socket.connect(new InetSocketAddress(settings.serverHost(), settings.serverPort()),
                    (int) settings.connectTimeout().toMillis());
            pusher = Pusher.open(socket, security, new Pusher.Options(settings.name(), protocol,
                    settings.blockSize(), settings.window(), settings.replyTimeout()));
            backoff.reset();
            log.info("connected server={}:{} protocol={}", settings.serverHost(), settings.serverPort(), protocol);
            return true;
        } catch (IOException e) {
            closeQuietly(socket);
            Duration wait = backoff.next();
            // The peer's refusals read best as they are; a network error needs its type (ConnectException, ...).
            String reason = e instanceof ProtocolException ? e.getMessage() : e.toString();
            log.warn("server unavailable server={}:{} reason=\"{}\" retry-in={}ms", settings.serverHost(),
                    settings.serverPort(), reason, wait.toMillis());
            pause(wait);
            return false;
        }
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

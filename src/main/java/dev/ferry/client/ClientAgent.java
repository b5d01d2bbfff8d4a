package dev.ferry.client;

import dev.ferry.config.ClientSettings;
import dev.ferry.security.ClientSecurity;
import dev.ferry.transfer.Outcome;
import dev.ferry.wire.ReplyStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The client agent: watches the outbox, pushes every ready file to the server, and after the
 * server's verified confirmation deletes or archives it; a file the server refuses for good goes
 * to the failed folder with a reason; anything else stays in the outbox and is sent again.
 *
 * <p>Threads: {@code ferry-watch} (the {@link OutboxWatcher}), {@code ferry-send-N} (one
 * {@link Sender} per connection, {@code connections} of them taking files from one queue, so a
 * file is in flight on one connection only) and each connection's reply thread, which runs
 * {@link #finished}. The owner calls
 * {@link #start()} and {@link #close()}. What happens to files and connections is also told to the
 * {@link ClientEvents} given at construction.
 */
public final class ClientAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClientAgent.class);

    private final ClientSettings settings;
    private final BlockingQueue<OutboxFile> queue = new LinkedBlockingQueue<>();
    private final Map<Path, Integer> integrityFailures = new ConcurrentHashMap<>();
    private final AfterSend afterSend;
    private final ClientEvents events;
    private final List<Sender> senders = new ArrayList<>();
    private final List<Thread> senderThreads = new ArrayList<>();
    private OutboxLock lock;
    private OutboxWatcher watcher;

    /** A client whose events nobody observes. */
    public ClientAgent(ClientSettings settings, String protocol, ClientSecurity security) {
        this(settings, protocol, security, ClientEvents.NONE);
    }

    public ClientAgent(ClientSettings settings, String protocol, ClientSecurity security, ClientEvents events) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.events = Objects.requireNonNull(events, "events");
        this.afterSend = new AfterSend(settings.outbox(), settings.afterSend(), settings.archiveDir(),
                settings.failedDir());
        Sender.Listener outcomes = new Sender.Listener() {
            @Override
            public void finished(OutboxFile file, Outcome outcome) {
                ClientAgent.this.finished(file, outcome);
            }

            @Override
            public void notDelivered(OutboxFile file, String why) {
                log.debug("not delivered file={} reason=\"{}\"; it will be sent again", file.relativeName(), why);
                watcher.release(file.path());
            }
        };
        // Compat mode sends each batch in one seed session: the original servers serve one connection at a time.
        int connections = settings.compat() ? 1 : settings.connections();
        for (int i = 1; i <= connections; i++) {
            Sender sender = new Sender(settings, protocol, security, queue, outcomes, events);
            senders.add(sender);
            senderThreads.add(new Thread(sender, "ferry-send-" + i));
        }
    }

    /** Takes the outbox lock, starts watching and sending. */
    public void start() throws IOException {
        Files.createDirectories(settings.outbox());
        lock = OutboxLock.acquire(settings.outbox());
        watcher = new OutboxWatcher(settings.outbox(), new ExcludeRules(settings.exclude()), settings.settleTime(),
                settings.rescanInterval(), Set.of(settings.archiveDir().toAbsolutePath().normalize(),
                settings.failedDir().toAbsolutePath().normalize()), queue::add);
        senderThreads.forEach(Thread::start);
        watcher.start();
        events.started(this::queued, this::inFlight, () -> senders.stream().mapToInt(Sender::connections).sum());
        log.info("client watching outbox={} server={}:{} after-send={}", settings.outbox().toAbsolutePath(),
                settings.serverHost(), settings.serverPort(), settings.afterSend().name().toLowerCase(Locale.ROOT));
        if (settings.compat()) {
            log.warn("compat mode (ferry.client.compat): the server is one of the original programs, which gives no"
                    + " integrity guarantee and no acknowledgement; a file counts as delivered when the server closed"
                    + " the session in order, and sub-folders are not kept");
        }
    }

    /** Files waiting in the outbox or in flight. */
    public int pending() {
        return watcher == null ? 0 : watcher.pending();
    }

    /** Files waiting in the outbox, not yet being sent: settling, or ready and queued. */
    public int queued() {
        return Math.max(0, pending() - inFlight());
    }

    private int inFlight() {
        return senders.stream().mapToInt(Sender::inFlight).sum();
    }

    private void finished(OutboxFile file, Outcome outcome) {
        try {
            if (outcome instanceof Outcome.Stored stored) {
                afterSend.delivered(file);
                integrityFailures.remove(file.path());
                log.info("delivered file={} bytes={} stored-as={}{}", file.relativeName(), file.size(),
                        stored.storedName(), stored.duplicate() ? " duplicate=true" : "");
            } else if (outcome instanceof Outcome.Changed changed) {
                events.retried(ClientEvents.Retry.CHANGED);
                log.info("not sent file={} reason=\"{}\"; it is sent again once it settles", file.relativeName(),
                        changed.what());
            } else if (outcome instanceof Outcome.Unreadable unreadable) {
                events.failed(ClientEvents.Failure.UNREADABLE);
                fail(file, "the file cannot be read: " + unreadable.reason()
                        + "; give the agent read permission and move it back into the outbox");
            } else if (outcome instanceof Outcome.Refused refused) {
                refused(file, refused);
            }
        } catch (IOException | RuntimeException e) {
            log.error("file={} outcome={} but the outbox could not be updated: {}; it stays in the outbox",
                    file.relativeName(), outcome, e.toString());
        } finally {
            watcher.release(file.path());
        }
    }

    private void refused(OutboxFile file, Outcome.Refused refused) throws IOException {
        ReplyStatus status = refused.status();
        switch (status) {
            case BAD_REQUEST, TOO_LARGE -> {
                events.failed(status == ReplyStatus.TOO_LARGE ? ClientEvents.Failure.TOO_LARGE
                        : ClientEvents.Failure.BAD_REQUEST);
                fail(file, "the server refused it (" + status + "): " + refused.reason());
            }
            case INTEGRITY -> {
                int failures = integrityFailures.merge(file.path(), 1, Integer::sum);
                if (failures > settings.integrityRetries()) {
                    integrityFailures.remove(file.path());
                    events.failed(ClientEvents.Failure.INTEGRITY);
                    fail(file, "the server received corrupted data " + failures + " times (" + refused.reason()
                            + "); check the network path and move the file back into the outbox");
                } else {
                    events.retried(ClientEvents.Retry.INTEGRITY);
                    log.warn("resending file={} reason=\"{}\" attempt={}", file.relativeName(), refused.reason(),
                            failures + 1);
                }
            }
            case REFUSED, UNAVAILABLE, OK -> {
                events.retried(ClientEvents.Retry.BUSY);
                log.warn("server cannot take file={} status={} reason=\"{}\"; it stays in the outbox and is sent"
                        + " again", file.relativeName(), status, refused.reason());
                senders.forEach(Sender::serverBusy);
            }
        }
    }

    private void fail(OutboxFile file, String reason) throws IOException {
        afterSend.failed(file, reason);
    }

    /** Stops watching, lets files in flight be confirmed within shutdown-grace, releases the outbox. */
    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        senders.forEach(Sender::stop);
        try {
            long deadline = System.nanoTime() + settings.shutdownGrace().toNanos() + 1_000_000_000L;
            for (int i = 0; i < senders.size(); i++) {
                Thread thread = senderThreads.get(i);
                thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                if (thread.isAlive()) {
                    log.info("stopping: cutting the connection of a file still being sent; it stays in the outbox");
                    senders.get(i).abort();
                    thread.join(5000);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (lock != null) {
            lock.close();
        }
        events.stopped();
        log.info("client stopped");
    }
}

package dev.ferry.client;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the outbox recursively and hands over each regular file once it has settled: size and
 * mtime unchanged for {@code settleTime}, observed at least twice that far apart.
 *
 * <p>Files are found by a WatchService on every folder, a scan of each newly seen folder, and a full
 * rescan every {@code rescanInterval} (at once after an OVERFLOW). Symbolic links are never followed;
 * links, FIFOs, sockets and devices are skipped with one WARN line per path. {@code skipDirs}
 * (absolute), folders excluded by the rules and the outbox lock file are ignored. A file handed over
 * is not handed over again until {@link #release} is called for it.
 *
 * <p>Threads: {@link #start()} registers and scans the tree on the caller's thread; then the one
 * daemon thread "ferry-watch" does everything else and calls {@code ready}, which must return
 * quickly. {@link #release} and {@link #pending} may be called from any thread. The client agent
 * owns the watcher and closes it.
 */
public final class OutboxWatcher implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(OutboxWatcher.class);
    private static final long MIN_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private final Path outbox;
    private final ExcludeRules exclude;
    private final long settleNanos;
    private final long rescanNanos;
    private final long tickNanos;
    private final Set<Path> skipDirs;
    private final Consumer<OutboxFile> ready;
    private final Queue<Path> releases = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile int pending;

    // Confined to the watcher thread; start() fills them before that thread exists.
    private final SettleTracker candidates;
    private final Set<Path> handed = new HashSet<>();
    private long lastRescan;
    private long lastCheck;

    // Guarded by this in start() and close(); published to the watcher thread by Thread.start().
    private OutboxTree tree;
    private Thread thread;

    public OutboxWatcher(Path outbox, ExcludeRules exclude, Duration settleTime, Duration rescanInterval,
                         Set<Path> skipDirs, Consumer<OutboxFile> ready) {
        this.outbox = Objects.requireNonNull(outbox, "outbox").toAbsolutePath().normalize();
        this.exclude = Objects.requireNonNull(exclude, "exclude");
        this.settleNanos = positive(settleTime, "settleTime").toNanos();
        this.rescanNanos = positive(rescanInterval, "rescanInterval").toNanos();
        this.tickNanos = Math.max(MIN_TICK_NANOS, Math.min(settleNanos / 2, MAX_TICK_NANOS));
        this.skipDirs = Objects.requireNonNull(skipDirs, "skipDirs").stream()
                .map(p -> p.toAbsolutePath().normalize()).collect(Collectors.toUnmodifiableSet());
        this.ready = Objects.requireNonNull(ready, "ready");
        this.candidates = new SettleTracker(settleNanos);
    }

    /** Creates the outbox if missing, registers the tree, scans it at once and starts "ferry-watch". */
    public synchronized void start() throws IOException {
        if (closed.get() || thread != null) {
            throw new IllegalStateException("watcher of outbox " + outbox + " was already started or closed");
        }
        Files.createDirectories(outbox);
        tree = OutboxTree.open(outbox, exclude, skipDirs, this::found);
        lastRescan = System.nanoTime();
        lastCheck = lastRescan;
        pending = candidates.size();
        thread = new Thread(this::run, "ferry-watch");
        thread.setDaemon(true);
        thread.start();
        log.info("watching outbox={} settle-ms={} rescan-ms={} files={}", outbox,
                TimeUnit.NANOSECONDS.toMillis(settleNanos), TimeUnit.NANOSECONDS.toMillis(rescanNanos), pending);
    }

    /**
     * The sender calls this when it is done with a file it was handed (delivered, failed, or to be
     * retried). If the file still exists it is handed over again once it is seen settled again.
     */
    public void release(Path path) {
        releases.add(Objects.requireNonNull(path, "path").toAbsolutePath().normalize());
    }

    /** Files seen and not yet handed over, plus handed over and not yet released (the queue depth). */
    public int pending() {
        return pending;
    }

    /** Stops the thread and closes the WatchService; idempotent, any thread. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (this) {
            if (tree != null) {
                try {
                    tree.close();
                } catch (IOException e) {
                    log.warn("closing watch service failed outbox={} reason=\"{}\"", outbox, e.toString());
                }
            }
            if (thread != null && thread != Thread.currentThread()) {
                // Also ends a callback blocked on a full sender queue.
                thread.interrupt();
                try {
                    thread.join(CLOSE_WAIT_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private void run() {
        while (!closed.get()) {
            try {
                tree.handleEvents(tickNanos);
                applyReleases();
                long now = System.nanoTime();
                if (tree.takeOverflow() || now - lastRescan >= rescanNanos) {
                    lastRescan = now;
                    tree.rescan();
                    log.debug("rescanned outbox={} candidates={} handed={}", outbox, candidates.size(), handed.size());
                }
                if (now - lastCheck >= tickNanos) {
                    lastCheck = now;
                    for (OutboxFile file : candidates.takeSettled(now)) {
                        handOver(file);
                    }
                }
                pending = candidates.size() + handed.size();
            } catch (ClosedWatchServiceException e) {
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                log.error("watch step failed outbox={}", outbox, e);
            }
        }
        log.debug("stopped watching outbox={}", outbox);
    }

    private void found(Path path, String relativeName, BasicFileAttributes attrs) {
        if (!handed.contains(path)) {
            candidates.offer(path, relativeName, attrs, System.nanoTime());
        }
    }

    private void applyReleases() {
        for (Path path = releases.poll(); path != null; path = releases.poll()) {
            if (handed.remove(path)) {
                tree.discover(path);
            } else {
                log.debug("release of a file not handed over path={}", path);
            }
        }
    }

    private void handOver(OutboxFile file) {
        handed.add(file.path());
        try {
            ready.accept(file);
            log.debug("ready path={} bytes={}", file.path(), file.size());
        } catch (RuntimeException e) {
            // Not offered again at once: a callback that keeps failing would otherwise spin at the settle pace.
            handed.remove(file.path());
            log.warn("ready callback failed path={} (picked up again by the next rescan)", file.path(), e);
        }
    }

    private static Duration positive(Duration value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " " + value + " must be positive");
        }
        return value;
    }
}

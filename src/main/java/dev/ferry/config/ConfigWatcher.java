package dev.ferry.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Watches one configuration file and calls {@code changed} once its content differs from what it
 * was and has then been quiet for {@code debounce}.
 *
 * <p>The folder holding the file is watched, not the file, because editors save by writing a new
 * file and renaming it over the old one (a watch on the old file would go with it). When the file is
 * a symbolic link, the folder of its target is watched too, so an edit of the target is seen. Only
 * events naming the file (or its target) count; a burst of them is one change. The content is
 * compared by SHA-256 with the last content seen, so a touch or a save without change calls
 * nothing. A file that is gone is reported with one WARN line and nothing is called: whoever acts
 * on {@code changed} keeps its running settings until the file is back.
 *
 * <p>Threads: one daemon thread, {@code ferry-config-watch}, waits for events and runs
 * {@code changed}, which must return quickly (hand the work to another thread). The owner calls
 * {@link #close()}.
 */
public final class ConfigWatcher implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

    private final Path file;
    private final long debounceNanos;
    private final Runnable changed;
    private final WatchService watch;
    private final Map<WatchKey, Path> folders = new HashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    // Confined to the watcher thread once it runs.
    private Path target;
    private byte[] lastDigest;
    private boolean missingReported;

    private ConfigWatcher(Path file, Duration debounce, Runnable changed) throws IOException {
        this.file = file.toAbsolutePath().normalize();
        this.debounceNanos = debounce.toNanos();
        this.changed = changed;
        this.watch = FileSystems.getDefault().newWatchService();
        this.thread = new Thread(this::run, "ferry-config-watch");
        this.thread.setDaemon(true);
    }

    /**
     * Starts watching {@code file}, whose present content counts as seen.
     *
     * @throws IOException when the file's folder cannot be watched
     */
    public static ConfigWatcher start(Path file, Duration debounce, Runnable changed) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(debounce, "debounce");
        Objects.requireNonNull(changed, "changed");
        ConfigWatcher watcher = new ConfigWatcher(file, debounce, changed);
        try {
            watcher.register(watcher.file.getParent());
            watcher.followTarget();
            watcher.lastDigest = watcher.digest();
        } catch (IOException e) {
            watcher.watch.close();
            throw e;
        }
        watcher.thread.start();
        log.debug("watching config file={} target={} debounce={}ms", watcher.file, watcher.target,
                debounce.toMillis());
        return watcher;
    }

    private void register(Path folder) throws IOException {
        if (folders.containsValue(folder)) {
            return;
        }
        WatchKey key = folder.register(watch, StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
        folders.put(key, folder);
    }

    /** Resolves the file's symbolic links, if any, and watches the target's folder as well. */
    private void followTarget() throws IOException {
        target = Files.exists(file) ? file.toRealPath() : file;
        register(target.getParent());
    }

    private void run() {
        long deadline = 0;
        boolean due = false;
        try {
            while (!closed) {
                WatchKey key = due ? watch.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                        : watch.take();
                if (key != null) {
                    if (concernsFile(key)) {
                        // Every event restarts the wait: an editor's save is several events.
                        deadline = System.nanoTime() + debounceNanos;
                        due = true;
                    }
                    if (!key.reset()) {
                        Path folder = folders.remove(key);
                        log.warn("config folder={} can no longer be watched (removed?); an edit of {} is picked"
                                + " up by SIGHUP (systemctl reload) only", folder, file);
                        if (folders.isEmpty()) {
                            return;
                        }
                    }
                }
                if (due && System.nanoTime() - deadline >= 0) {
                    due = false;
                    check();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // close(): the thread ends.
        }
    }

    private boolean concernsFile(WatchKey key) {
        Path folder = folders.get(key);
        boolean concerns = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                concerns = true;
            } else if (folder != null && event.context() instanceof Path name) {
                Path path = folder.resolve(name);
                concerns |= path.equals(file) || path.equals(target);
            }
        }
        return concerns;
    }

    private void check() {
        if (!Files.exists(file)) {
            if (!missingReported) {
                missingReported = true;
                log.warn("config file={} is gone; the running settings stay in force until it is back", file);
            }
            return;
        }
        byte[] digest;
        try {
            followTarget();
            digest = digest();
        } catch (IOException e) {
            log.warn("config file={} cannot be read: {}; the running settings stay in force", file, e.toString());
            return;
        }
        missingReported = false;
        if (Arrays.equals(digest, lastDigest)) {
            log.debug("config file={} saved without change", file);
            return;
        }
        lastDigest = digest;
        changed.run();
    }

    /** The SHA-256 of the file's content, or null when there is no file. */
    private byte[] digest() throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Stops watching; {@code changed} is not called after this returns. */
    @Override
    public void close() {
        closed = true;
        try {
            watch.close();
        } catch (IOException e) {
            log.debug("closing the config watch failed: {}", e.toString());
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

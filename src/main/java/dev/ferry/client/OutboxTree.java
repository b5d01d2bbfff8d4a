package dev.ferry.client;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The folder tree of the outbox as {@link OutboxWatcher} sees it: every folder registered with one
 * WatchService, events and scans turned into regular files found. Skips, without following or
 * opening them, the skip folders, excluded names, the lock file, symbolic links and special files
 * (one WARN line per path). Confined to the "ferry-watch" thread once the watcher has started;
 * {@link #close()} may come from any thread.
 */
final class OutboxTree implements Closeable {

    /** Receives each regular file found, possibly several times; the receiver ignores repeats. */
    @FunctionalInterface
    interface Sink {
        void found(Path path, String relativeName, BasicFileAttributes attrs);
    }

    // Logs under the watcher's name: one logger to tune for everything about watching the outbox.
    private static final Logger log = LoggerFactory.getLogger(OutboxWatcher.class);

    private final Path outbox;
    private final ExcludeRules exclude;
    private final Set<Path> skipDirs;
    private final Sink sink;
    private final WatchService watchService;
    private final Map<WatchKey, Path> keys = new HashMap<>();
    private final Set<Path> watched = new HashSet<>();
    private final Set<Path> warned = new HashSet<>();
    private boolean overflowed;

    private OutboxTree(Path outbox, ExcludeRules exclude, Set<Path> skipDirs, Sink sink, WatchService watchService) {
        this.outbox = outbox;
        this.exclude = exclude;
        this.skipDirs = skipDirs;
        this.sink = sink;
        this.watchService = watchService;
    }

    /** Registers the outbox root (failing if it cannot be watched), then registers and scans the whole tree. */
    static OutboxTree open(Path outbox, ExcludeRules exclude, Set<Path> skipDirs, Sink sink) throws IOException {
        WatchService watchService = outbox.getFileSystem().newWatchService();
        OutboxTree tree = new OutboxTree(outbox, exclude, skipDirs, sink, watchService);
        try {
            tree.keys.put(outbox.register(watchService, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY), outbox);
        } catch (IOException | RuntimeException e) {
            watchService.close();
            throw e;
        }
        tree.scan(outbox);
        return tree;
    }

    /**
     * Waits up to {@code timeoutNanos} for events, then handles what arrives for at most as long again,
     * so that a storm of events cannot starve the settle checks.
     */
    void handleEvents(long timeoutNanos) throws InterruptedException {
        WatchKey key = watchService.poll(timeoutNanos, TimeUnit.NANOSECONDS);
        long until = System.nanoTime() + timeoutNanos;
        while (key != null) {
            handle(key);
            key = System.nanoTime() - until < 0 ? watchService.poll() : null;
        }
    }

    /** True once after events were lost (OVERFLOW): the caller should rescan at once. */
    boolean takeOverflow() {
        boolean result = overflowed;
        overflowed = false;
        return result;
    }

    /** Registers and scans the whole tree again: the safety net for lost events. */
    void rescan() {
        if (!Files.isDirectory(outbox)) {
            log.warn("outbox missing outbox={}", outbox);
            return;
        }
        scan(outbox);
        // A path skipped earlier and since removed is warned about again if it comes back.
        warned.removeIf(path -> !Files.exists(path, LinkOption.NOFOLLOW_LINKS));
    }

    /** Looks at one path below the outbox: scans a folder, reports a regular file, skips the rest. */
    void discover(Path path) {
        String name = relativeName(path);
        if (name.equals(OutboxLock.FILE_NAME) || exclude.excludes(name) || skipDirs.contains(path)) {
            return;
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            log.debug("dropped path={} reason=\"{}\"", path, e.toString());
            return;
        }
        if (attrs.isDirectory()) {
            scan(path);
        } else if (attrs.isRegularFile()) {
            sink.found(path, name, attrs);
        } else if (warned.add(path)) {
            String reason = attrs.isSymbolicLink() ? "symbolic link" : "not a regular file (FIFO, socket or device)";
            log.warn("skipped path={} reason=\"{}\"", path, reason);
        }
    }

    @Override
    public void close() throws IOException {
        watchService.close();
    }

    private void handle(WatchKey key) {
        Path dir = keys.get(key);
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == OVERFLOW) {
                log.debug("events lost dir={}, rescanning", dir);
                overflowed = true;
            } else if (dir != null && event.kind() != ENTRY_DELETE) {
                Path child = dir.resolve((Path) event.context());
                // A watched folder reports changes inside it through its own key.
                if (event.kind() == ENTRY_CREATE || !watched.contains(child)) {
                    discover(child);
                }
            }
        }
        if (!key.reset()) {
            watched.remove(keys.remove(key));
        }
    }

    /** Registers dir, then looks at everything in it; registering first leaves no gap for missed files. */
    private void scan(Path dir) {
        watch(dir);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                discover(entry);
            }
        } catch (IOException | DirectoryIteratorException e) {
            log.debug("cannot list dir={} reason=\"{}\"", dir, e.toString());
        }
    }

    private void watch(Path dir) {
        try {
            keys.put(dir.register(watchService, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY), dir);
            watched.add(dir);
        } catch (FileSystemException e) {
            log.debug("cannot watch dir={} reason=\"{}\"", dir, e.toString());
        } catch (IOException e) {
            if (warned.add(dir)) {
                log.warn("cannot watch dir={} reason=\"{}\" (its files are found by the periodic rescan)", dir, e.toString());
            }
        }
    }

    private String relativeName(Path path) {
        StringBuilder name = new StringBuilder();
        for (Path segment : outbox.relativize(path)) {
            if (name.length() > 0) {
                name.append('/');
            }
            name.append(segment);
        }
        return name.toString();
    }
}

package dev.ferry.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of the outbox waiting to settle, in the order they were found: a file is settled when its
 * size and mtime are the same at two observations at least {@code settleNanos} apart. Confined to the
 * "ferry-watch" thread of {@link OutboxWatcher}.
 */
final class SettleTracker {

    // Logs under the watcher's name: one logger to tune for everything about watching the outbox.
    private static final Logger log = LoggerFactory.getLogger(OutboxWatcher.class);

    private final long settleNanos;
    private final Map<Path, Seen> candidates = new LinkedHashMap<>();

    SettleTracker(long settleNanos) {
        this.settleNanos = settleNanos;
    }

    /** Starts the clock for a regular file unless it is already a candidate (then its next check decides). */
    void offer(Path path, String relativeName, BasicFileAttributes attrs, long nowNanos) {
        candidates.putIfAbsent(path, new Seen(relativeName, attrs.size(), attrs.lastModifiedTime(), nowNanos));
    }

    void remove(Path path) {
        candidates.remove(path);
    }

    int size() {
        return candidates.size();
    }

    /**
     * Observes every candidate again: drops the ones gone, unreadable or no longer regular files,
     * restarts the clock of the ones that changed, and removes and returns the settled ones.
     */
    List<OutboxFile> takeSettled(long nowNanos) {
        List<OutboxFile> settled = new ArrayList<>();
        for (Iterator<Map.Entry<Path, Seen>> it = candidates.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Path, Seen> entry = it.next();
            Path path = entry.getKey();
            Seen seen = entry.getValue();
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                it.remove();
                log.debug("dropped path={} reason=\"{}\"", path, e.toString());
                continue;
            }
            if (!attrs.isRegularFile()) {
                // Whatever replaced it was reported by its own event and is judged there.
                it.remove();
                log.debug("dropped path={} reason=\"no longer a regular file\"", path);
            } else if (attrs.size() != seen.size() || !attrs.lastModifiedTime().equals(seen.mtime())) {
                entry.setValue(new Seen(seen.relativeName(), attrs.size(), attrs.lastModifiedTime(), nowNanos));
            } else if (nowNanos - seen.sinceNanos() >= settleNanos) {
                it.remove();
                if (Files.isReadable(path)) {
                    settled.add(new OutboxFile(path, seen.relativeName(), attrs.size(), attrs.lastModifiedTime().toMillis()));
                } else {
                    log.debug("dropped path={} reason=\"not readable\"", path);
                }
            }
        }
        return settled;
    }

    /** One observation of a candidate: what it looked like, and since when (System.nanoTime). */
    private record Seen(String relativeName, long size, FileTime mtime, long sinceNanos) {
    }
}

package dev.ferry.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Partly received large files kept for resume (PROTOCOL.md 3.4): {@code <key>.part} holds the
 * data, {@code <key>.forced} the number of its bytes known to be on disk. Only those bytes are
 * offered to a client that comes back; anything after them is cut off, since after a crash of
 * the machine they may not have reached the disk. Kept for {@code retention}, then removed at
 * the next start. A key is used by one connection at a time. Thread-safe.
 *
 * <p>Checkpoints while a file is being received run on a {@code ferry-checkpoint-N} thread, one at a
 * time per file, so the connection's thread keeps receiving while the disk flushes: an fsync of
 * 32 MiB takes tens of milliseconds, and made in line it stalled bulk transfers for a third of
 * their time (docs/BENCHMARKS.md). Suspending or removing a file first waits for its checkpoint.
 */
public final class PartialFiles {
    private static final Logger log = LoggerFactory.getLogger(PartialFiles.class);
    private static final Pattern KEY = Pattern.compile("[0-9a-f]{64}");
    private static final String DATA = ".part";
    private static final String FORCED = ".forced";

    private final Path dir;
    private final long checkpointBytes;
    private final Set<String> inUse = new HashSet<>();
    private final ExecutorService checkpoints = Executors.newCachedThreadPool(new CheckpointThreads());

    /**
     * @param dir the folder for partial files, inside the inbox's work folder (same file system)
     * @param checkpointBytes how often data being received is forced and recorded as held
     */
    public PartialFiles(Path dir, long checkpointBytes) throws IOException {
        this.dir = Files.createDirectories(Objects.requireNonNull(dir, "dir"));
        this.checkpointBytes = checkpointBytes;
    }

    public static boolean validKey(String key) {
        return KEY.matcher(key).matches();
    }

    /** Removes partial files not touched within {@code retention}. */
    public void removeStale(Duration retention, Clock clock) throws IOException {
        long oldest = clock.millis() - retention.toMillis();
        int removed = 0;
        int kept = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS).toMillis() < oldest) {
                    Files.deleteIfExists(entry);
                    removed++;
                } else {
                    kept++;
                }
            }
        }
        log.info("partial files for resume dir={} kept={} expired-removed={}", dir, kept, removed);
    }

    /**
     * Claims the partial file of {@code key}, creating it when there is none.
     *
     * @throws PartialBusyException another connection is receiving the same file
     */
    synchronized Partial claim(String key) throws IOException {
        if (!validKey(key)) {
            throw new IllegalArgumentException("resume key must be 64 hex digits");
        }
        if (!inUse.add(key)) {
            throw new PartialBusyException("the same file is being received on another connection");
        }
        try {
            return open(key);
        } catch (IOException | RuntimeException e) {
            inUse.remove(key);
            throw e;
        }
    }

    private Partial open(String key) throws IOException {
        Path data = dir.resolve(key + DATA);
        Path forced = dir.resolve(key + FORCED);
        long held = 0;
        try {
            held = Long.parseLong(Files.readString(forced, StandardCharsets.US_ASCII).trim());
        } catch (NoSuchFileException | NumberFormatException e) {
            held = 0;
        }
        FileChannel channel = FileChannel.open(data, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        held = Math.max(0, Math.min(held, channel.size()));
        channel.truncate(held);
        channel.position(held);
        return new Partial(key, data, forced, channel, held);
    }

    private synchronized void release(String key) {
        inUse.remove(key);
    }

    /** One claimed partial file. Used by one connection thread. */
    final class Partial {
        private final String key;
        private final Path data;
        private final Path forced;
        private final FileChannel channel;
        private final long offset;
        // Written by the connection's thread; the checkpoint thread only reads its own size.
        private long requested;
        private CompletableFuture<Long> inFlight = CompletableFuture.completedFuture(0L);

        private Partial(String key, Path data, Path forced, FileChannel channel, long offset) {
            this.key = key;
            this.data = data;
            this.forced = forced;
            this.channel = channel;
            this.offset = offset;
            this.requested = offset;
        }

        Path data() {
            return data;
        }

        FileChannel channel() {
            return channel;
        }

        /** Bytes held from an earlier attempt when this was claimed. */
        long offset() {
            return offset;
        }

        /**
         * After a write of everything up to {@code size}: every {@code checkpointBytes} starts a
         * checkpoint of {@code size} in the background, unless the previous one still runs (then a
         * later write starts it). A background checkpoint that failed is thrown here.
         */
        void written(long size) throws IOException {
            if (size - requested < checkpointBytes) {
                return;
            }
            if (!inFlight.isDone()) {
                return;
            }
            settle();
            requested = size;
            inFlight = CompletableFuture.supplyAsync(() -> {
                try {
                    checkpoint(size);
                    return size;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, checkpoints);
        }

        /** Waits for the background checkpoint, if any; throws its failure, now and at every later call. */
        void settle() throws IOException {
            try {
                inFlight.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
                if (cause instanceof IOException io) {
                    throw io;
                }
                throw new IllegalStateException("checkpoint failed", cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while a checkpoint was forced to disk");
            }
        }

        /**
         * As {@link #settle()} for a file about to be kept or removed: false when the checkpoint
         * failed, which is logged, not thrown.
         */
        private boolean settleQuietly() {
            try {
                settle();
                return true;
            } catch (IOException e) {
                log.warn("checkpoint failed key={} reason={}", key.substring(0, 12), e.toString());
                return false;
            }
        }

        /** Forces the data and records {@code size} as held; on the caller's thread. */
        private void checkpoint(long size) throws IOException {
            channel.force(true);
            Path fresh = forced.resolveSibling(forced.getFileName() + ".new");
            Files.writeString(fresh, Long.toString(size), StandardCharsets.US_ASCII);
            try (FileChannel sidecar = FileChannel.open(fresh, StandardOpenOption.WRITE)) {
                sidecar.force(true);
            }
            Files.move(fresh, forced, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }

        /** Keeps the file for a later resume (the connection dropped). */
        void suspend(long size) {
            // After a failed fsync the kernel may have dropped the dirty pages and cleared the error:
            // a second force could succeed with the data lost, so such a file is never kept.
            if (!settleQuietly()) {
                delete();
                return;
            }
            try {
                checkpoint(size);
                channel.close();
                log.info("partial file kept for resume key={} bytes={}", key.substring(0, 12), size);
            } catch (IOException e) {
                log.warn("partial file not kept key={} reason={}", key.substring(0, 12), e.toString());
                delete();
            } finally {
                release(key);
            }
        }

        /** Removes the data and its record (abandoned, corrupt, or published: then only the record). */
        void delete() {
            // A checkpoint still running would write the record after it was removed. Its failure
            // does not matter here (after a commit it may be the channel the commit closed).
            try {
                settle();
            } catch (IOException e) {
                log.debug("checkpoint of a removed partial file failed key={} reason={}", key.substring(0, 12),
                        e.toString());
            }
            try {
                channel.close();
                Files.deleteIfExists(data);
                Files.deleteIfExists(forced);
            } catch (IOException e) {
                log.warn("partial file not removed key={} reason={}", key.substring(0, 12), e.toString());
            } finally {
                release(key);
            }
        }
    }

    /** Daemon threads: a checkpoint never holds the JVM open; an unfinished one is redone at resume. */
    private static final class CheckpointThreads implements ThreadFactory {
        private static final AtomicInteger COUNT = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "ferry-checkpoint-" + COUNT.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }

    /** Another connection holds the partial file of that key. */
    static final class PartialBusyException extends IOException {
        PartialBusyException(String message) {
            super(message);
        }
    }
}

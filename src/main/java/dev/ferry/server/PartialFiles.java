package dev.ferry.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
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
import java.util.regex.Pattern;

/**
 * Partly received large files kept for resume (PROTOCOL.md 3.4): {@code <key>.part} holds the
 * data, {@code <key>.forced} the number of its bytes known to be on disk. Only those bytes are
 * offered to a client that comes back; anything after them is cut off, since after a crash of
 * the machine they may not have reached the disk. Kept for {@code retention}, then removed at
 * the next start. A key is used by one connection at a time. Thread-safe.
 */
public final class PartialFiles {
    private static final Logger log = LoggerFactory.getLogger(PartialFiles.class);
    private static final Pattern KEY = Pattern.compile("[0-9a-f]{64}");
    private static final String DATA = ".part";
    private static final String FORCED = ".forced";

    private final Path dir;
    private final long checkpointBytes;
    private final Set<String> inUse = new HashSet<>();

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
        private long checkpointed;

        private Partial(String key, Path data, Path forced, FileChannel channel, long offset) {
            this.key = key;
            this.data = data;
            this.forced = forced;
            this.channel = channel;
            this.offset = offset;
            this.checkpointed = offset;
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

        /** After a write: forces and records the size every {@code checkpointBytes}. */
        void written(long size) throws IOException {
            if (size - checkpointed >= checkpointBytes) {
                checkpoint(size);
            }
        }

        /** Forces the data and records {@code size} as held. */
        void checkpoint(long size) throws IOException {
            channel.force(true);
            Path fresh = forced.resolveSibling(forced.getFileName() + ".new");
            Files.writeString(fresh, Long.toString(size), StandardCharsets.US_ASCII);
            try (FileChannel sidecar = FileChannel.open(fresh, StandardOpenOption.WRITE)) {
                sidecar.force(true);
            }
            Files.move(fresh, forced, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            checkpointed = size;
        }

        /** Keeps the file for a later resume (the connection dropped). */
        void suspend(long size) {
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

    /** Another connection holds the partial file of that key. */
    static final class PartialBusyException extends IOException {
        PartialBusyException(String message) {
            super(message);
        }
    }
}

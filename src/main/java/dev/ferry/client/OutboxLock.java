package dev.ferry.client;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prevents two client agents on one outbox: the lock file {@code outbox/.ferry-client.lock}, held with
 * {@link FileChannel#tryLock()} for the agent's life and holding our pid.
 *
 * <p>The client agent acquires it at start, before the watcher, and closes it last. The lock file is
 * left in place on close: deleting it would let two agents lock two different files. Nothing else in
 * this process may open the lock file while it is held: closing any channel on it drops a POSIX lock.
 */
public final class OutboxLock implements Closeable {

    /** Name of the lock file in the outbox root; {@link OutboxWatcher} never hands it over. */
    static final String FILE_NAME = ".ferry-client.lock";

    private static final Logger log = LoggerFactory.getLogger(OutboxLock.class);
    private static final int MAX_PID_BYTES = 64;

    // POSIX record locks belong to the process: closing any channel on the lock file, even one that
    // failed to lock it, drops the lock this process holds. So a second acquire within this JVM must
    // be refused before it opens the file. This set mirrors that process-wide state.
    private static final Set<Path> heldInThisProcess = ConcurrentHashMap.newKeySet();

    private final Path key;
    private final Path file;
    private final FileChannel channel;
    private final AtomicBoolean closed = new AtomicBoolean();

    private OutboxLock(Path key, Path file, FileChannel channel) {
        this.key = key;
        this.file = file;
        this.channel = channel;
    }

    /**
     * Creates the outbox if missing, locks its lock file and writes our pid into it.
     *
     * @throws OutboxLockedException when another Ferry client (in this or another process) holds the lock
     */
    public static OutboxLock acquire(Path outbox) throws IOException {
        Objects.requireNonNull(outbox, "outbox");
        Files.createDirectories(outbox);
        Path key = outbox.toRealPath();
        Path file = outbox.resolve(FILE_NAME);
        if (!heldInThisProcess.add(key)) {
            throw locked(outbox, file, Long.toString(ProcessHandle.current().pid()));
        }
        try {
            return lock(outbox, key, file);
        } catch (IOException | RuntimeException | Error e) {
            heldInThisProcess.remove(key);
            throw e;
        }
    }

    private static OutboxLock lock(Path outbox, Path key, Path file) throws IOException {
        FileChannel channel = FileChannel.open(file,
                StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            FileLock lock = tryLock(channel);
            if (lock == null) {
                throw locked(outbox, file, readPid(channel));
            }
            byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(pid), 0);
            log.debug("locked outbox={} lock={} pid={}", outbox, file, ProcessHandle.current().pid());
            return new OutboxLock(key, file, channel);
        } catch (IOException | RuntimeException | Error e) {
            channel.close();
            throw e;
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            // Someone in this JVM locked the file without going through OutboxLock.
            return null;
        }
    }

    private static String readPid(FileChannel channel) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(MAX_PID_BYTES);
            channel.read(buffer, 0);
            String pid = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
            return pid.isEmpty() ? "unknown" : pid;
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static OutboxLockedException locked(Path outbox, Path file, String pid) {
        return new OutboxLockedException("another Ferry client already uses outbox " + outbox
                + " (lock file " + file + " held by pid " + pid + "); stop that client or configure another outbox");
    }

    /** Releases the lock; idempotent. Any thread. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            // Closing the channel releases its lock.
            channel.close();
        } catch (IOException e) {
            log.warn("unlock failed lock={} reason=\"{}\"", file, e.toString());
        } finally {
            heldInThisProcess.remove(key);
        }
    }
}

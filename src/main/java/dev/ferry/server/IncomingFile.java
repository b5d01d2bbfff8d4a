package dev.ferry.server;

import dev.ferry.transfer.KillPoint;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One file being received into the {@link Inbox}: bytes go to a temporary file in the work folder
 * until {@link #commit()} publishes it, or {@link #abandon()} removes it.
 *
 * <p>Used by one connection thread at a time. The caller closes it; {@link #close()} abandons the
 * file unless it was committed, so try-with-resources never leaves a temporary file behind.
 */
public final class IncomingFile implements Closeable {
    /** Largest single write: big writes into a new file are slow (PERFORMANCE-NOTES.md, trap 2). */
    static final int MAX_WRITE = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(IncomingFile.class);

    private enum State { OPEN, COMMITTED, ABANDONED, SUSPENDED }

    private final Inbox inbox;
    private final List<String> segments;
    private Path temp;
    private final FileChannel channel;
    private final PartialFiles.Partial partial;
    private final long offset;
    private State state = State.OPEN;
    private long size;

    IncomingFile(Inbox inbox, List<String> segments, Path temp, FileChannel channel) {
        this(inbox, segments, temp, channel, null);
    }

    IncomingFile(Inbox inbox, List<String> segments, PartialFiles.Partial partial) {
        this(inbox, segments, partial.data(), partial.channel(), partial);
    }

    private IncomingFile(Inbox inbox, List<String> segments, Path temp, FileChannel channel,
                         PartialFiles.Partial partial) {
        this.inbox = Objects.requireNonNull(inbox, "inbox");
        this.segments = List.copyOf(segments);
        this.temp = Objects.requireNonNull(temp, "temp");
        this.channel = Objects.requireNonNull(channel, "channel");
        this.partial = partial;
        this.offset = partial == null ? 0 : partial.offset();
        this.size = offset;
    }

    /** Bytes held from an earlier, interrupted attempt (0 for a new file). */
    public long offset() {
        return offset;
    }

    /** Feeds the bytes held from an earlier attempt to {@code digest}, so it covers the whole file. */
    public void readHeld(MessageDigest digest) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_WRITE);
        try (FileChannel in = FileChannel.open(temp, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            for (long position = 0; position < offset; ) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), offset - position));
                int n = in.read(buffer, position);
                if (n < 0) {
                    throw new IOException("partial file " + temp + " is shorter than the " + offset + " bytes it held");
                }
                digest.update(buffer.array(), 0, n);
                position += n;
            }
        }
    }

    /** Appends all remaining bytes of {@code src}, advancing its position. */
    public void write(ByteBuffer src) throws IOException {
        requireOpen();
        int end = src.limit();
        try {
            while (src.position() < end) {
                src.limit(src.position() + Math.min(MAX_WRITE, end - src.position()));
                while (src.hasRemaining()) {
                    size += channel.write(src);
                }
                if (partial != null) {
                    partial.written(size);
                }
            }
            KillPoint.SERVER_MID_STREAM.reach();
        } finally {
            src.limit(end);
        }
    }

    /** Bytes written so far. */
    public long size() {
        return size;
    }

    /**
     * Forces the data to disk, moves it atomically to its final name under the inbox's conflict
     * policy and forces the folder(s). On any failure the temporary file is removed.
     *
     * @return what was stored, under its final name
     * @throws InboxNameException the name cannot be stored (conflict under reject, a symbolic link or
     *                            a file in the way of a folder)
     */
    public StoredFile commit() throws IOException, InboxNameException {
        return commit(null);
    }

    /** As {@link #commit()}, giving the file the sender's modification time (null keeps the time of writing). */
    public StoredFile commit(FileTime lastModified) throws IOException, InboxNameException {
        return commit(lastModified, null);
    }

    /**
     * As {@link #commit(FileTime)}; with a {@code receipt} (hex) the file is published through a
     * commit marker that stays until {@link #receiptRecorded()}, so a crash before the receipt is
     * recorded is recovered at the next start ({@link Inbox#recoverCommitted()}).
     */
    public StoredFile commit(FileTime lastModified, String receipt) throws IOException, InboxNameException {
        requireOpen();
        try {
            KillPoint.SERVER_BEFORE_FORCE.reach();
            if (partial != null) {
                // A background checkpoint that failed means an fsync of this descriptor failed: the
                // file is given up rather than forced again (see aFailedForceAbandons... in IncomingFileTest).
                partial.settle();
            }
            if (lastModified != null) {
                // Before the force, which then makes the time durable with the data (one inode write, not two).
                Files.setLastModifiedTime(temp, lastModified);
            }
            channel.force(true);
            channel.close();
            if (receipt != null) {
                temp = inbox.markCommitting(temp, receipt);
            }
            KillPoint.SERVER_BEFORE_PUBLISH.reach();
            StoredFile stored = inbox.publish(temp, segments, size);
            state = State.COMMITTED;
            if (partial != null) {
                partial.delete();
            }
            return stored;
        } catch (IOException | InboxNameException | RuntimeException e) {
            abandon();
            throw e;
        }
    }

    /**
     * The connection broke: a file kept for resume is forced and kept with its size recorded;
     * any other is abandoned. Never throws.
     */
    public void suspend() {
        if (state != State.OPEN) {
            return;
        }
        if (partial == null) {
            abandon();
            return;
        }
        state = State.SUSPENDED;
        partial.suspend(size);
    }

    /** Removes the temporary file. Idempotent, does nothing after a commit, never throws. */
    public void abandon() {
        if (state != State.OPEN) {
            return;
        }
        state = State.ABANDONED;
        if (partial != null) {
            partial.delete();
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("temp file not closed temp={} reason={}", temp, e.toString());
        }
        try {
            Files.deleteIfExists(temp);
            LOG.debug("abandoned name={} temp={} bytes={}", InboxNames.show(String.join("/", segments)), temp, size);
        } catch (IOException e) {
            LOG.warn("temp file not removed temp={} reason={}", temp, e.toString());
        }
    }

    /** After a commit with a receipt: the receipt is recorded, the commit marker can go. */
    public void receiptRecorded() {
        if (state == State.COMMITTED) {
            inbox.forget(temp);
        }
    }

    /** Abandons the file unless it was committed. */
    @Override
    public void close() {
        abandon();
    }

    private void requireOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException("incoming file " + InboxNames.show(String.join("/", segments))
                    + " is already " + state.name().toLowerCase(Locale.ROOT));
        }
    }
}

package dev.ferry.server;

import dev.ferry.transfer.DeliveryException;
import dev.ferry.transfer.KillPoint;
import dev.ferry.transfer.Store;
import dev.ferry.wire.ReplyStatus;
import dev.ferry.wire.Sizes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The transfer layer's {@link Store} over an {@link Inbox}: checks names with {@link InboxNames}
 * and turns inbox failures into the REPLY status a client acts on (a bad name is BAD_REQUEST and
 * the client gives up on the file; a disk problem is UNAVAILABLE and it tries again later).
 * Thread-safe, like the inbox.
 */
public final class InboxStore implements Store {
    private static final Logger log = LoggerFactory.getLogger(InboxStore.class);

    private final Inbox inbox;
    private final Receipts receipts;
    private final PartialFiles partials;
    private final long minFreeSpace;
    /** The inbox's file store, found once: finding it reads the mount table, which cost more than the file's write. */
    private volatile FileStore fileStore;

    /**
     * @param minFreeSpace a file is refused (UNAVAILABLE, the client tries again later) when
     *                     storing it would leave less free space than this ({@code ferry.server.min-free-space})
     */
    public InboxStore(Inbox inbox, Receipts receipts, PartialFiles partials, long minFreeSpace) {
        this.inbox = Objects.requireNonNull(inbox, "inbox");
        this.receipts = Objects.requireNonNull(receipts, "receipts");
        this.partials = Objects.requireNonNull(partials, "partials");
        this.minFreeSpace = minFreeSpace;
    }

    private void checkSpace(long size) throws DeliveryException {
        long free;
        try {
            FileStore store = fileStore;
            if (store == null) {
                store = Files.getFileStore(inbox.root());
                fileStore = store;
            }
            // statvfs(2) of the inbox's path each time: a file system mounted over it later still counts.
            free = store.getUsableSpace();
        } catch (IOException e) {
            throw unavailable("cannot read the inbox's free space", e);
        }
        if (free - size < minFreeSpace) {
            throw new DeliveryException(ReplyStatus.UNAVAILABLE, "the inbox has " + Sizes.format(free) + " free;"
                    + " storing " + Sizes.format(size) + " would leave less than " + Sizes.format(minFreeSpace)
                    + " (ferry.server.min-free-space); the client sends it again later, free some space");
        }
    }

    @Override
    public Optional<String> storedAs(byte[] id) {
        return receipts.find(id);
    }

    @Override
    public Upload begin(String name, long size, String resumeKey) throws DeliveryException {
        List<String> segments;
        try {
            segments = InboxNames.checkRelativePath(name);
        } catch (InboxNameException e) {
            throw new DeliveryException(ReplyStatus.BAD_REQUEST, e.getMessage(), e);
        }
        checkSpace(size);
        if (resumeKey == null) {
            return open(segments);
        }
        try {
            return new InboxUpload(inbox.adopt(segments, partials.claim(resumeKey)), receipts);
        } catch (PartialFiles.PartialBusyException e) {
            // Not a disk problem: a connection the client gave up on still holds the file until the
            // server sees it end (at the latest after ferry.server.idle-timeout).
            throw new DeliveryException(ReplyStatus.UNAVAILABLE, e.getMessage() + "; the client sends it again"
                    + " once that connection has ended (at the latest after ferry.server.idle-timeout)", e);
        } catch (IOException e) {
            throw unavailable("cannot keep a partial file for resume", e);
        }
    }

    @Override
    public Upload beginSeed(String typedPath, long size) throws DeliveryException {
        List<String> segments;
        try {
            segments = List.of(InboxNames.lastSegment(typedPath));
        } catch (InboxNameException e) {
            throw new DeliveryException(ReplyStatus.BAD_REQUEST, e.getMessage(), e);
        }
        checkSpace(size);
        return open(segments);
    }

    private Upload open(List<String> segments) throws DeliveryException {
        try {
            return new InboxUpload(inbox.begin(segments), receipts);
        } catch (IOException e) {
            throw unavailable("cannot create a temporary file in the inbox", e);
        }
    }

    private static DeliveryException unavailable(String what, IOException e) {
        return new DeliveryException(ReplyStatus.UNAVAILABLE, what + ": " + e.getMessage()
                + " (the server keeps running; free space or fix the inbox permissions)", e);
    }

    /** One incoming file. */
    private static final class InboxUpload implements Upload {
        private final IncomingFile file;
        private final Receipts receipts;

        InboxUpload(IncomingFile file, Receipts receipts) {
            this.file = file;
            this.receipts = receipts;
        }

        @Override
        public long offset() {
            return file.offset();
        }

        @Override
        public void readHeld(MessageDigest digest) throws DeliveryException {
            try {
                file.readHeld(digest);
            } catch (IOException e) {
                throw unavailable("cannot read back the partial file", e);
            }
        }

        @Override
        public void suspend() {
            file.suspend();
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws DeliveryException {
            try {
                file.write(ByteBuffer.wrap(bytes, offset, length));
            } catch (IOException e) {
                throw unavailable("cannot write to the inbox", e);
            }
        }

        @Override
        public String commit(long mtimeMillis, byte[] id) throws DeliveryException {
            String stored;
            try {
                stored = file.commit(mtimeMillis < 0 ? null : FileTime.fromMillis(mtimeMillis),
                        id == null ? null : HexFormat.of().formatHex(id)).relativeName();
            } catch (InboxNameException e) {
                throw new DeliveryException(ReplyStatus.BAD_REQUEST, e.getMessage(), e);
            } catch (IOException e) {
                throw unavailable("cannot store the file in the inbox", e);
            }
            if (id != null) {
                try {
                    KillPoint.SERVER_BEFORE_RECEIPT.reach();
                    receipts.record(id, stored);
                    file.receiptRecorded();
                    KillPoint.SERVER_BEFORE_REPLY.reach();
                } catch (IOException e) {
                    // The file is stored; its commit marker stays, so the next start records the receipt.
                    log.error("receipt not recorded file={} reason=\"{}\"; it is recorded at the next start",
                            stored, e.getMessage());
                }
            }
            return stored;
        }

        @Override
        public void close() {
            file.close();
        }
    }
}

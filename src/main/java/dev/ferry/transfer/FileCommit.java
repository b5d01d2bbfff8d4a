package dev.ferry.transfer;

import dev.ferry.wire.ReplyStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;

/**
 * One verified file on its way into the inbox, on a commit thread: forced, published, its
 * receipt recorded, then answered in order. Always completes its place, whatever happens.
 *
 * <p>{@link NativeReception} creates it on the connection's thread once a file's COMMIT verifies,
 * with the place of its answer already taken in the session's {@link ReplyOrder}, and hands it to
 * {@link ServerSession.Context#commits()} (or runs it itself when that pool refuses it). From then
 * on the upload belongs to this object, which closes it; {@link #run} is called once, on one thread.
 */
final class FileCommit implements Runnable {
    // The session's logger: a refusal reads the same whether the connection's thread or a commit
    // thread ends the file.
    private static final Logger log = LoggerFactory.getLogger(NativeReception.class);

    private final ServerSession.Context context;
    private final String protocol;
    private final String clientName;
    private final ReplyOrder replies;
    private final Store.Upload upload;
    private final String name;
    private final long mtimeMillis;
    private final byte[] id;
    private final String idHex;
    private final long size;
    private final String sha256;
    private final long began;
    private final ReplyOrder.Place place;

    /**
     * @param protocol   the session's protocol id, for the receipt and the log
     * @param clientName the name the client proved in its handshake; null when its protocol proves none
     * @param replies    the session's answers, where {@code place} was taken for this file
     * @param idHex      {@code id} in hex, claimed in {@link ServerSession.Context#versions()}; released here
     * @param sha256     the verified SHA-256 of the content, in hex
     * @param began      when the file's FILE arrived ({@link System#nanoTime()})
     */
    FileCommit(ServerSession.Context context, String protocol, String clientName, ReplyOrder replies,
               Store.Upload upload, String name, long mtimeMillis, byte[] id, String idHex, long size, String sha256,
               long began, ReplyOrder.Place place) {
        this.context = Objects.requireNonNull(context, "context");
        this.protocol = protocol;
        this.clientName = clientName;
        this.replies = Objects.requireNonNull(replies, "replies");
        this.upload = Objects.requireNonNull(upload, "upload");
        this.name = name;
        this.mtimeMillis = mtimeMillis;
        this.id = id;
        this.idHex = idHex;
        this.size = size;
        this.sha256 = sha256;
        this.began = began;
        this.place = Objects.requireNonNull(place, "place");
    }

    @Override
    public void run() {
        ReplyStatus status = ReplyStatus.UNAVAILABLE;
        String text = "the server failed to store the file; it is sent again";
        try {
            String stored = upload.commit(mtimeMillis, id);
            TransferLog.stored(stored, size, began, protocol, context.peer(), clientName, false);
            context.listener().finished(ReceivedFile.stored(name, stored, size, sha256, protocol, clientName,
                    false, began));
            status = ReplyStatus.OK;
            text = "stored=" + replies.shown(stored);
        } catch (DeliveryException e) {
            refused(e.status(), e.getMessage());
            status = e.status();
            text = replies.reason(e.getMessage());
        } catch (RuntimeException e) {
            log.error("commit failed file={} peer={}", PeerText.show(name), context.peer(), e);
            refused(status, text);
        } finally {
            upload.close();
            // After the receipt is recorded (or the commit failed): the same version sent again decides on it.
            context.versions().release(idHex);
            replies.complete(place, status, text);
            context.listener().committing(false);
        }
    }

    private void refused(ReplyStatus status, String reason) {
        log.warn("refused file={} status={} reason=\"{}\" peer={}", PeerText.show(name), status, reason,
                context.peer());
        context.listener().finished(ReceivedFile.refused(name, size, protocol, clientName, false, began, status,
                reason));
    }
}

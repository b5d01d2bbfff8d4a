package dev.ferry.transfer;

import java.security.MessageDigest;
import java.util.Optional;

/**
 * Where received files go; the server agent implements it over its inbox. Shared by all
 * connections, so implementations are thread-safe.
 */
public interface Store {
    /**
     * A native file: {@code name} is a relative path with {@code /} separators, kept as sub-folders.
     *
     * @param size the bytes announced, to check that the inbox has room for them
     * @param resumeKey for a large file, the key under which an interrupted transfer is kept and
     *                  continued ({@link Upload#offset()}), or null
     */
    Upload begin(String name, long size, String resumeKey) throws DeliveryException;

    /**
     * A seed file: {@code typedPath} is what the seed user typed; only its last segment is kept.
     *
     * @param size an upper bound of the file's size (its encoded length)
     */
    Upload beginSeed(String typedPath, long size) throws DeliveryException;

    /** The name under which the file version {@code id} (from COMMIT) was already stored, if it was. */
    Optional<String> storedAs(byte[] id);

    /** One file being received; used by one connection thread; {@link #close()} abandons it unless committed. */
    interface Upload extends AutoCloseable {
        /** Bytes already held from an interrupted earlier attempt: the client continues from there. */
        long offset();

        /** Feeds the held bytes to {@code digest}, so the digest covers the whole file. */
        void readHeld(MessageDigest digest) throws DeliveryException;

        void write(byte[] bytes, int offset, int length) throws DeliveryException;

        /**
         * Forces the data to disk, sets the modification time ({@code mtimeMillis}, or -1 to keep
         * the time of writing) and publishes the file atomically, then records the receipt for
         * {@code id} (null for seed files, which have none); returns the final relative name.
         */
        String commit(long mtimeMillis, byte[] id) throws DeliveryException;

        /** Removes what was written; idempotent, never throws. */
        @Override
        void close();

        /** The connection broke: keeps what was written of a resumable file, else as {@link #close()}. */
        void suspend();
    }
}

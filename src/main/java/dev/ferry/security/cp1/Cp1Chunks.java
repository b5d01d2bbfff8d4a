package dev.ferry.security.cp1;

import dev.ferry.security.SealException;
import dev.ferry.security.rsa.RsaOaep;

import javax.crypto.Cipher;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAKey;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The cp1 payload encoding (PROTOCOL.md sections 2 and 3.3): the plaintext cut into pieces of
 * k - 66 bytes, each RSA-OAEP encrypted ({@link RsaOaep}) to exactly k bytes, concatenated.
 * cp1 is bound by RSA decryption (~750 operations per second per core, PERFORMANCE-NOTES.md), so
 * {@link #decode} shares the chunks of one buffer between the calling thread and a pool of
 * {@code threads - 1} workers, each reusing its own Cipher.
 * <p>Thread-safe: one instance may serve every connection of a server; each calling thread and
 * worker keeps its own Cipher. The creator closes it, which stops the pool.
 */
public final class Cp1Chunks implements AutoCloseable {
    /** One or two chunks take less time to decrypt than handing them to another thread is worth. */
    private static final int PARALLEL_MIN_CHUNKS = 3;

    private final int k;
    private final int chunkPlain;
    private final int parts;
    private final ThreadLocal<Cipher> decryptors;
    private final ThreadLocal<Cipher> encryptors;
    private final ExecutorService pool;

    /**
     * @param key        the server's private key to decode with, or null on the client side
     * @param encryptKey the server's public key to encode with, or null on the server side
     * @param threads    how many threads decrypt one buffer together (the number of cores on a server), at least 1
     */
    public Cp1Chunks(PrivateKey key, PublicKey encryptKey, int threads) {
        if (key == null && encryptKey == null) {
            throw new IllegalArgumentException("cp1 needs the private key to decode or the public key to encode; both are null");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("cp1 decryption threads must be at least 1, got " + threads);
        }
        RSAKey rsaKey = rsa(key != null ? key : encryptKey);
        if (key != null && encryptKey != null && RsaOaep.modulusBytes(rsa(encryptKey)) != RsaOaep.modulusBytes(rsaKey)) {
            throw new IllegalArgumentException("cp1 private and public keys have different modulus sizes");
        }
        this.k = RsaOaep.modulusBytes(rsaKey);
        this.chunkPlain = RsaOaep.maxPlaintext(rsaKey);
        this.parts = threads;
        this.decryptors = key == null ? null : ThreadLocal.withInitial(() -> newCipher(key, null));
        this.encryptors = encryptKey == null ? null : ThreadLocal.withInitial(() -> newCipher(null, encryptKey));
        // Fail at construction, not on the first chunk, if the provider refuses a key.
        if (decryptors != null) {
            decryptors.get();
        }
        if (encryptors != null) {
            encryptors.get();
        }
        this.pool = key != null && threads > 1 ? Executors.newFixedThreadPool(threads - 1, new WorkerFactory()) : null;
    }

    /** Plaintext bytes per chunk: k - 66. */
    public int chunkPlain() {
        return chunkPlain;
    }

    /** Bytes per encrypted chunk: k. */
    public int chunkSize() {
        return k;
    }

    /** The encoded length of {@code plainLength} bytes: ceil(n / (k - 66)) * k, 0 for 0. */
    public int encodedLength(int plainLength) {
        if (plainLength < 0) {
            throw new IllegalArgumentException("negative plaintext length " + plainLength);
        }
        long chunks = (plainLength + (long) chunkPlain - 1) / chunkPlain;
        long encoded = chunks * k;
        if (encoded > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cp1 encoding of " + plainLength + " bytes exceeds 2 GiB; use smaller blocks");
        }
        return (int) encoded;
    }

    /** The most plaintext an encoded payload of {@code encodedLength} bytes can carry (the room {@link #decode} needs in dst). */
    public int maxPlainLength(int encodedLength) {
        return encodedLength / k * chunkPlain;
    }

    /** Encodes {@code src[off, off+len)} into {@code dst} from index 0; returns {@link #encodedLength}(len). */
    public int encode(byte[] src, int off, int len, byte[] dst) {
        if (encryptors == null) {
            throw new IllegalStateException("this Cp1Chunks has no public key to encode with");
        }
        Objects.checkFromIndexSize(off, len, src.length);
        int needed = encodedLength(len);
        if (dst.length < needed) {
            throw new IllegalArgumentException("dst holds " + dst.length + " bytes; encoding " + len + " needs " + needed);
        }
        Cipher cipher = encryptors.get();
        int written = 0;
        try {
            for (int at = 0; at < len; at += chunkPlain) {
                written += cipher.doFinal(src, off + at, Math.min(chunkPlain, len - at), dst, written);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA-OAEP encryption of a " + chunkPlain + "-byte piece failed", e);
        }
        return written;
    }

    /**
     * Decodes {@code src[off, off+len)} into {@code dst} from index 0 and returns the plaintext
     * length. {@code dst} must hold {@link #maxPlainLength}(len) bytes. A length that is not a
     * whole number of chunks, a chunk that does not decrypt, or an interrupt throws; dst then
     * holds garbage. Returns only once no worker touches dst any more.
     */
    public int decode(byte[] src, int off, int len, byte[] dst) throws SealException {
        if (decryptors == null) {
            throw new IllegalStateException("this Cp1Chunks has no private key to decode with");
        }
        Objects.checkFromIndexSize(off, len, src.length);
        if (len % k != 0) {
            throw new SealException("cp1 payload of " + len + " bytes is not a whole number of " + k
                    + "-byte RSA-OAEP chunks (" + len / k + " chunks and " + len % k + " bytes left over)");
        }
        int chunks = len / k;
        if (dst.length < chunks * chunkPlain) {
            throw new IllegalArgumentException("dst holds " + dst.length + " bytes; decoding " + chunks
                    + " cp1 chunks needs " + chunks * chunkPlain);
        }
        if (Thread.currentThread().isInterrupted()) {
            // Checked here too: the pool's threads may take every chunk before the caller's loop looks.
            throw new SealException("cp1 decryption was interrupted");
        }
        Job job = new Job(src, off, chunks, dst);
        int helpers = pool == null || chunks < PARALLEL_MIN_CHUNKS ? 0 : Math.min(parts, chunks) - 1;
        for (int i = 0; i < helpers; i++) {
            try {
                pool.execute(job);
            } catch (RejectedExecutionException closed) {
                break;
            }
        }
        job.run();
        job.awaitClaimedChunks();
        Exception failure = job.failure.get();
        if (failure instanceof SealException seal) {
            throw seal;
        }
        if (failure != null) {
            throw new IllegalStateException("cp1 decryption failed unexpectedly", failure);
        }
        // Every chunk was written at its slot i * (k - 66); a chunk carrying fewer bytes (the last,
        // or any chunk from a peer that cuts differently) leaves a gap to close, moving left only.
        int written = 0;
        for (int i = 0; i < chunks; i++) {
            if (written != i * chunkPlain) {
                System.arraycopy(dst, i * chunkPlain, dst, written, job.lengths[i]);
            }
            written += job.lengths[i];
        }
        return written;
    }

    private int decryptChunk(Cipher cipher, byte[] src, int at, byte[] dst, int dstAt, int index) throws SealException {
        byte[] plain;
        try {
            plain = cipher.doFinal(src, at, k);
        } catch (GeneralSecurityException e) {
            throw new SealException("cp1 chunk " + index + " does not decrypt with the server key (altered in transit,"
                    + " encrypted for another key, or not RSA-OAEP with SHA-256 and MGF1-SHA-256)", e);
        }
        System.arraycopy(plain, 0, dst, dstAt, plain.length);
        return plain.length;
    }

    /** Stops the worker pool; decodes still running finish on their calling threads. */
    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }

    private static Cipher newCipher(PrivateKey decryptKey, PublicKey encryptKey) {
        try {
            return decryptKey != null ? RsaOaep.newDecryptCipher(decryptKey) : RsaOaep.newEncryptCipher(encryptKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the JDK refuses this RSA key for RSA-OAEP SHA-256: " + e.getMessage(), e);
        }
    }

    private static RSAKey rsa(Key key) {
        if (key instanceof RSAKey rsaKey) {
            return rsaKey;
        }
        throw new IllegalArgumentException("cp1 needs an RSA key, got a " + key.getAlgorithm() + " key");
    }

    /**
     * The chunks of one buffer, claimed one at a time by the caller and the helpers: a claim is one
     * atomic increment against ~1.3 ms of RSA work, and claiming keeps the load even when other
     * connections hold some workers. The caller waits for the chunks that were claimed, not for
     * the helpers: one still queued behind other work finds nothing left and returns.
     */
    private final class Job implements Runnable {
        final byte[] src;
        final int off;
        final int chunks;
        final byte[] dst;
        final int[] lengths;
        final AtomicInteger next = new AtomicInteger();
        final AtomicReference<Exception> failure = new AtomicReference<>();
        private int done;

        Job(byte[] src, int off, int chunks, byte[] dst) {
            this.src = src;
            this.off = off;
            this.chunks = chunks;
            this.dst = dst;
            this.lengths = new int[chunks];
        }

        @Override
        public void run() {
            Cipher cipher;
            try {
                cipher = decryptors.get();
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
                return;
            }
            int i;
            while (failure.get() == null && (i = next.getAndIncrement()) < chunks) {
                try {
                    if (Thread.currentThread().isInterrupted()) {
                        throw new SealException("cp1 decryption was interrupted");
                    }
                    lengths[i] = decryptChunk(cipher, src, off + i * k, dst, i * chunkPlain, i);
                } catch (SealException | RuntimeException e) {
                    failure.compareAndSet(null, e);
                } finally {
                    chunkDone();
                }
            }
        }

        private synchronized void chunkDone() {
            done++;
            notifyAll();
        }

        /** Stops further claims, then waits (ignoring interrupts, bounded by one chunk per worker) for those made. */
        synchronized void awaitClaimedChunks() {
            int claimed = Math.min(next.getAndSet(chunks), chunks);
            boolean interrupted = false;
            while (done < claimed) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final class WorkerFactory implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "ferry-cp1-decrypt-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}

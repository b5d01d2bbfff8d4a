package dev.ferry.transfer;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SHA-256 of a file's content (PROTOCOL.md 3.4, COMMIT), computed on a thread of its own
 * ({@code ferry-digest-N}) while the connection's thread seals, sends, opens or writes the next
 * blocks. SHA-256 runs at ~1.5 GB/s here, slower than AES-GCM, and was the largest cost per byte
 * on both sides of a bulk transfer (docs/BENCHMARKS.md); in line it capped a connection's thread.
 *
 * <p>The blocks travel in a ring of {@code depth} buffers, so nothing is copied: the owner takes a
 * free buffer ({@link #buffer}), fills it, hands it over ({@link #update}) and may still read it
 * (to seal it or write it to the inbox) until it takes its next buffer; the digest thread gives a
 * buffer back once it has digested it. Files of at most {@code inlineLimit} bytes are digested on
 * the owner's thread: they gain nothing from a hand-over, and small files stay as fast as before.
 *
 * <p>Used by one owner thread: {@link #start}, then {@link #buffer} and {@link #update} per block,
 * then {@link #finish}. A file given up half-way needs nothing: the next {@link #start} begins
 * anew. {@link #close} (any thread, idempotent) ends the digest thread; a later call fails.
 */
public final class PipelinedDigest implements Closeable {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final long POLL_MILLIS = 100;

    /** What the digest thread is told, in order. */
    private sealed interface Step permits Start, Block, Finish { }

    private record Start(MessageDigest digest) implements Step { }

    private record Block(byte[] buffer, int length) implements Step { }

    private record Finish(CompletableFuture<byte[]> result) implements Step { }

    private final long inlineLimit;
    private final BlockingQueue<byte[]> free;
    private final BlockingQueue<Step> steps;
    private Thread thread;
    private MessageDigest inline;
    // Taken by the owner and not handed over yet: the next buffer() gives it again, so a block
    // given up (a read that failed) never costs the ring a buffer.
    private byte[] taken;
    private volatile boolean closed;

    /**
     * @param depth the number of buffers in the ring (at least 2)
     * @param inlineLimit files of at most this many bytes are digested on the owner's thread
     */
    public PipelinedDigest(int depth, long inlineLimit) {
        if (depth < 2) {
            throw new IllegalArgumentException("a ring of " + depth + " buffers cannot overlap; at least 2");
        }
        this.inlineLimit = inlineLimit;
        this.free = new ArrayBlockingQueue<>(depth);
        this.steps = new ArrayBlockingQueue<>(depth + 2);
        for (int i = 0; i < depth; i++) {
            free.add(new byte[0]);
        }
    }

    /**
     * Starts a file of {@code size} bytes whose digest continues {@code digest} (fresh, or already
     * fed with bytes held from an interrupted transfer); the digest belongs to this object now.
     */
    public void start(MessageDigest digest, long size) throws IOException {
        Objects.requireNonNull(digest, "digest");
        requireOpen();
        if (size <= inlineLimit) {
            inline = digest;
            return;
        }
        inline = null;
        if (thread == null) {
            thread = new Thread(this::run, "ferry-digest-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            thread.start();
        }
        put(new Start(digest));
    }

    /** A free buffer of at least {@code length} bytes, waiting while all of them are being digested. */
    public byte[] buffer(int length) throws IOException {
        byte[] buffer = taken;
        if (buffer != null) {
            return buffer.length >= length ? buffer : (taken = new byte[length]);
        }
        try {
            while ((buffer = free.poll(POLL_MILLIS, TimeUnit.MILLISECONDS)) == null) {
                requireOpen();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the digest of earlier blocks");
        }
        taken = buffer.length >= length ? buffer : new byte[length];
        return taken;
    }

    /**
     * Adds {@code buffer[0, length)} to the current file's digest. The buffer goes back to the ring
     * once digested: the owner must not write into it again, and may read it until its next
     * {@link #buffer} call.
     */
    public void update(byte[] buffer, int length) throws IOException {
        Objects.checkFromIndexSize(0, length, buffer.length);
        if (buffer != taken) {
            throw new IllegalArgumentException("update with a buffer that buffer() did not give");
        }
        taken = null;
        if (inline != null) {
            inline.update(buffer, 0, length);
            free.add(buffer);
            return;
        }
        put(new Block(buffer, length));
    }

    /** Waits for every block handed over and returns the digest of the whole file. */
    public byte[] finish() throws IOException {
        if (inline != null) {
            byte[] digest = inline.digest();
            inline = null;
            return digest;
        }
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        put(new Finish(result));
        try {
            while (true) {
                try {
                    return result.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    requireOpen();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a file's digest");
        } catch (ExecutionException e) {
            throw new IllegalStateException("the digest thread failed", e.getCause());
        }
    }

    /** Ends the digest thread; blocks still queued are dropped. */
    @Override
    public void close() {
        closed = true;
        Thread running = thread;
        if (running != null) {
            running.interrupt();
        }
    }

    private void put(Step step) throws IOException {
        try {
            while (!steps.offer(step, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                requireOpen();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while handing a block to the digest thread");
        }
    }

    private void requireOpen() throws IOException {
        if (closed) {
            throw new IOException("the connection's digest was closed");
        }
    }

    private void run() {
        MessageDigest digest = null;
        try {
            while (!closed) {
                Step step = steps.take();
                if (step instanceof Start start) {
                    digest = start.digest();
                } else if (step instanceof Block block) {
                    digest.update(block.buffer(), 0, block.length());
                    free.add(block.buffer());
                } else if (step instanceof Finish finish) {
                    finish.result().complete(digest.digest());
                }
            }
        } catch (InterruptedException e) {
            // close(): the owner is gone or stops; nothing waits for this thread.
        } catch (RuntimeException e) {
            closed = true;
            throw e;
        }
    }
}

package dev.ferry.transfer;

import dev.ferry.security.ClientSecurity;
import dev.ferry.security.HandshakeChannel;
import dev.ferry.security.SealException;
import dev.ferry.security.SessionCodec;
import dev.ferry.wire.FrameLimits;
import dev.ferry.wire.FrameReader;
import dev.ferry.wire.FrameWriter;
import dev.ferry.wire.Mode;
import dev.ferry.wire.ProtocolException;
import dev.ferry.wire.Reply;
import dev.ferry.wire.ReplyStatus;
import dev.ferry.wire.Transcript;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client side of one native connection (PROTOCOL.md section 3): HELLO, the plugin's
 * handshake, then files pushed as FILE, DATA..., COMMIT ({@link FileSender}). Files are pipelined:
 * {@link #push} returns once a file's frames are sent, up to {@code window} files may wait for
 * their REPLY, and a thread of its own ({@code ferry-replies-N}) matches REPLYs to files in order.
 *
 * <p>{@link #push} and {@link #close} are called by one sender thread. When the connection fails,
 * every waiting file's future completes exceptionally with the cause and {@link #push} throws it.
 */
public final class Pusher implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(Pusher.class);
    private static final int MAX_REPLY = 64 * 1024;
    private static final long REPLY_CHECK_MILLIS = 1000;
    private static final AtomicInteger CONNECTIONS = new AtomicInteger();

    /**
     * How a client pushes.
     *
     * @param clientName the name that goes into file ids and HELLO
     * @param protocol the configured security protocol id
     * @param blockSize DATA plaintext per frame (smaller if the server asks)
     * @param window files that may wait for their REPLY at once
     * @param replyTimeout how long a sent file may wait for its REPLY (also the socket's read timeout)
     * @param resumeThreshold files at least this large are sent resumable
     */
    public record Options(String clientName, String protocol, int blockSize, int window, Duration replyTimeout,
                          long resumeThreshold) {
        public Options {
            Objects.requireNonNull(clientName, "clientName");
            Objects.requireNonNull(protocol, "protocol");
            Objects.requireNonNull(replyTimeout, "replyTimeout");
            if (blockSize < 1024 || window < 1) {
                throw new IllegalArgumentException("block size below 1 KiB or window below 1");
            }
        }
    }

    /**
     * Told how far the push of one file has gone, for a progress display or a byte count. Called
     * on the thread that calls {@link #push}: once before the first DATA frame (with 0, or with what
     * the server already holds of a resumed file), then after each DATA frame. Sent is not
     * confirmed: the file's outcome says whether the server stored it.
     */
    @FunctionalInterface
    public interface Progress {
        /** {@code sent} of the file's {@code size} bytes have been written to the connection (or were held). */
        void sent(long sent, long size);

        /** Progress that nobody watches. */
        Progress NONE = (sent, size) -> { };
    }

    /**
     * One file waiting for its final REPLY; a resumable one first waits for the REPLY to its FILE
     * that says how many bytes the server already holds ({@code offset}, null when not resumable).
     * {@code waitingSince} is when it last started to wait for an answer (nanos), 0 while this side
     * is still sending it: only that wait counts against {@code reply-timeout}, so a transfer may
     * take as long as it takes. Shared by the sending thread ({@link FileSender}) and the reply thread.
     */
    record Slot(SourceFile file, CompletableFuture<Outcome> result, CompletableFuture<Long> offset,
                AtomicLong waitingSince) {
        void waiting(boolean now) {
            waitingSince.set(now ? Math.max(1, System.nanoTime()) : 0);
        }
    }

    private final Socket socket;
    private final FrameReader in;
    private final FrameWriter out;
    private final SessionCodec codec;
    private final Options options;
    private final long serverMaxFileSize;
    private final FileSender sender;
    private final Deque<Slot> waiting = new ConcurrentLinkedDeque<>();
    private final Semaphore window;
    private final Thread replies;
    private volatile IOException failure;
    private volatile boolean closing;

    private Pusher(Socket socket, FrameReader in, FrameWriter out, SessionCodec codec, Options options,
                   Map<String, String> answer) throws ProtocolException {
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.codec = codec;
        this.options = options;
        this.serverMaxFileSize = KeyValues.requireLong(answer, "max-file-size", "HELLO answer");
        long serverBlock = KeyValues.requireLong(answer, "max-block", "HELLO answer");
        int blockSize = codec.blockSize((int) Math.min(options.blockSize(), serverBlock));
        if (blockSize < 1) {
            throw new ProtocolException("HELLO answer has max-block=" + serverBlock + ", too small for protocol "
                    + options.protocol());
        }
        this.sender = new FileSender(out, codec, options, blockSize);
        this.window = new Semaphore(options.window());
        this.replies = new Thread(this::readReplies, "ferry-replies-" + CONNECTIONS.incrementAndGet());
        this.replies.setDaemon(true);
    }

    /**
     * Opens a session on a connected socket: HELLO, the answer, the plugin's handshake.
     *
     * @throws SessionRefusedException when the server refuses the protocol or is busy
     */
    public static Pusher open(Socket socket, ClientSecurity security, Options options) throws IOException {
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, options.replyTimeout().toMillis()));
        FrameReader in = new FrameReader(socket.getInputStream(), FrameLimits.none());
        FrameWriter out = new FrameWriter(socket.getOutputStream());
        Transcript transcript = new Transcript();
        in.transcript(transcript);
        out.transcript(transcript);
        Map<String, String> hello = new LinkedHashMap<>();
        hello.put("ferry", "1");
        hello.put("protocol", options.protocol());
        hello.put("client", options.clientName());
        out.writeFrame(Mode.HELLO, KeyValues.format(hello));
        out.flush();
        Reply answer = in.readReply(MAX_REPLY);
        if (answer.status() != ReplyStatus.OK) {
            throw new SessionRefusedException(answer.status(), answer.text());
        }
        Map<String, String> parameters = KeyValues.parse(answer.payload(), "HELLO answer");
        if (!"1".equals(parameters.get("ferry")) || !options.protocol().equals(parameters.get("protocol"))) {
            // A server that answers another protocol than the one asked for is refused, never followed:
            // a HELLO rewritten in transit must not downgrade the session (PROTOCOL.md 3.1).
            throw new ProtocolException("HELLO answer says ferry=" + parameters.get("ferry") + " protocol="
                    + parameters.get("protocol") + ", expected ferry=1 protocol=" + options.protocol()
                    + ": the HELLO was altered in transit or the server does not speak Ferry; nothing was sent");
        }
        SessionCodec codec = security.handshake(new HandshakeChannel(in, out, transcript, hello, parameters));
        in.transcript(null);
        out.transcript(null);
        // From here a read timeout only wakes the reply thread to check how long files have waited.
        socket.setSoTimeout((int) Math.min(REPLY_CHECK_MILLIS, options.replyTimeout().toMillis()));
        Pusher pusher = new Pusher(socket, in, out, codec, options, parameters);
        pusher.replies.start();
        return pusher;
    }

    /**
     * Sends one file and returns the future of its outcome, which completes when the server's
     * verified REPLY arrives (or at once for a file that cannot or need not be sent). Blocks while
     * {@code window} files wait for their REPLY.
     *
     * @throws IOException the connection failed; the file's state on the server is unknown and it must be sent again
     */
    public CompletableFuture<Outcome> push(SourceFile file) throws IOException, InterruptedException {
        return push(file, Progress.NONE);
    }

    /** As {@link #push(SourceFile)}, telling {@code progress} as the file's bytes go out. */
    public CompletableFuture<Outcome> push(SourceFile file, Progress progress)
            throws IOException, InterruptedException {
        Objects.requireNonNull(progress, "progress");
        checkHealthy();
        if (file.size() > serverMaxFileSize) {
            return CompletableFuture.completedFuture(new Outcome.Refused(ReplyStatus.TOO_LARGE, file.relativeName()
                    + " is " + file.size() + " bytes; the server accepts at most " + serverMaxFileSize + " bytes"));
        }
        if (file.relativeName().indexOf('\n') >= 0 || file.relativeName().indexOf('\r') >= 0) {
            return CompletableFuture.completedFuture(new Outcome.Refused(ReplyStatus.BAD_REQUEST,
                    "the name contains a line break, which no inbox accepts; rename the file"));
        }
        FileChannel source;
        try {
            source = FileChannel.open(file.path(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return CompletableFuture.completedFuture(new Outcome.Changed("it disappeared before it was sent"));
        } catch (IOException e) {
            return CompletableFuture.completedFuture(new Outcome.Unreadable(e.toString()));
        }
        try (source) {
            while (!window.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                checkHealthy();
            }
            checkHealthy();
            Slot slot = new Slot(file, new CompletableFuture<>(),
                    file.size() >= options.resumeThreshold() ? new CompletableFuture<>() : null, new AtomicLong());
            waiting.add(slot);
            sender.send(slot, source, progress);
            return slot.result();
        }
    }

    private void readReplies() {
        try {
            while (true) {
                Reply reply;
                try {
                    reply = in.readReply(MAX_REPLY);
                } catch (SocketTimeoutException e) {
                    if (overdue()) {
                        throw new IOException("no REPLY from the server within " + options.replyTimeout()
                                + " (ferry.client.reply-timeout)", e);
                    }
                    continue;
                }
                String text = new String(codec.openReply(reply.status(), reply.payload()), StandardCharsets.UTF_8);
                Slot slot = waiting.peek();
                if (slot == null) {
                    throw new ProtocolException("the server sent a REPLY while no file was waiting for one");
                }
                if (slot.offset() != null && !slot.offset().isDone()) {
                    if (reply.status() == ReplyStatus.OK) {
                        slot.offset().complete(offset(text));
                        continue;
                    }
                    slot.offset().complete(-1L);
                }
                waiting.poll();
                window.release();
                slot.result().complete(outcome(reply.status(), text));
            }
        } catch (SealException e) {
            // A REPLY that does not verify is forged or altered: no file is taken as delivered on it.
            log.warn("connection dropped peer={} reason=\"{}\"; files waiting for a reply stay in the outbox",
                    socket.getRemoteSocketAddress(), e.getMessage());
            fail(e);
        } catch (IOException e) {
            fail(closing && e instanceof EOFException ? new EOFException("connection closed") : e);
        } catch (RuntimeException e) {
            log.error("reply reader failed", e);
            fail(new IOException("reply reader failed: " + e, e));
        }
    }

    private static long offset(String text) throws ProtocolException {
        if (text.startsWith("offset=")) {
            try {
                long offset = Long.parseLong(text.substring("offset=".length()));
                if (offset >= 0) {
                    return offset;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new ProtocolException("the server answered a resumable FILE with '" + text + "', expected offset=N");
    }

    private static Outcome outcome(ReplyStatus status, String text) throws ProtocolException {
        if (status != ReplyStatus.OK) {
            return new Outcome.Refused(status, text);
        }
        if (text.startsWith("stored=")) {
            return new Outcome.Stored(text.substring("stored=".length()), false);
        }
        if (text.startsWith("duplicate=")) {
            return new Outcome.Stored(text.substring("duplicate=".length()), true);
        }
        throw new ProtocolException("the server acknowledged a file with '" + text + "', expected stored= or duplicate=");
    }

    private void fail(IOException cause) {
        if (failure == null) {
            failure = cause;
        }
        closeSocket();
        sender.close();
        List<Slot> orphans = new ArrayList<>();
        for (Slot slot; (slot = waiting.poll()) != null; ) {
            orphans.add(slot);
        }
        orphans.forEach(slot -> {
            slot.result().completeExceptionally(failure);
            if (slot.offset() != null) {
                slot.offset().completeExceptionally(failure);
            }
        });
        window.release(options.window());
    }

    private void checkHealthy() throws IOException {
        IOException cause = failure;
        if (cause != null) {
            throw new IOException("connection failed: " + cause.getMessage(), cause);
        }
    }

    /** Cuts the connection at once, without CLOSE (the server keeps resumable files); for a stop that cannot wait. */
    public void abort() {
        closing = true;
        fail(new EOFException("connection aborted"));
    }

    /** True when a file has waited for its answer longer than {@code reply-timeout}. */
    private boolean overdue() {
        long now = System.nanoTime();
        for (Slot slot : waiting) {
            long since = slot.waitingSince().get();
            if (!slot.result().isDone() && since != 0 && now - since > options.replyTimeout().toNanos()) {
                return true;
            }
        }
        return false;
    }

    /** True while no file waits for its REPLY. */
    public boolean idle() {
        return waiting.stream().allMatch(slot -> slot.result().isDone());
    }

    /** True once the connection has failed; a new one must be opened. */
    public boolean failed() {
        return failure != null;
    }

    /** Waits up to {@code timeout} for every sent file's REPLY. */
    public void awaitReplies(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Slot slot : List.copyOf(waiting)) {
            long left = deadline - System.nanoTime();
            try {
                slot.result().get(Math.max(0, left), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                return;
            }
        }
    }

    /**
     * Ends the session: CLOSE if the connection is healthy, then closes the socket. Files still
     * waiting for a REPLY fail (they stay in the outbox and are sent again).
     */
    @Override
    public void close() {
        closing = true;
        if (failure == null) {
            try {
                out.writeClose();
                out.flush();
                socket.shutdownOutput();
            } catch (IOException e) {
                log.debug("CLOSE not sent: {}", e.getMessage());
            }
        }
        fail(new EOFException("connection closed"));
        try {
            replies.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("socket close failed: {}", e.getMessage());
        }
    }
}

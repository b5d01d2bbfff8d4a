package dev.ferry.transfer;

import dev.ferry.wire.FrameLimits;
import dev.ferry.wire.FrameReader;
import dev.ferry.wire.FrameWriter;
import dev.ferry.wire.Mode;
import dev.ferry.wire.Transcript;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The server side of one connection: reads the first frame and serves either a native session
 * (first frame HELLO) or a seed session (anything else). Runs on the connection's thread until
 * the peer closes, sends CLOSE, or breaks the protocol (a {@link dev.ferry.wire.ProtocolException}
 * is thrown and the caller closes the socket). Never leaves an uncommitted file behind.
 */
public final class ServerSession {
    private final InputStream in;
    private final OutputStream out;
    private final Context context;
    private volatile boolean seed;

    /**
     * What every session of one server agent shares.
     *
     * @param commits where native files whose COMMIT verified are forced, published and recorded
     *                while the session reads on; a direct executor ({@code Runnable::run}) commits
     *                each file on the connection's thread before the next frame is read
     * @param versions the file versions being committed by any session of the server, so the same
     *                 version sent again on another connection is answered duplicate, not stored twice
     */
    public record Context(String peer, ServerProtocols protocols, Store store, ReceptionLimits limits,
                          SessionListener listener, SecureRandom random, Executor commits,
                          VersionsInCommit versions) {
        public Context {
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(protocols, "protocols");
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(limits, "limits");
            Objects.requireNonNull(listener, "listener");
            Objects.requireNonNull(random, "random");
            Objects.requireNonNull(commits, "commits");
            Objects.requireNonNull(versions, "versions");
        }

        /** A context that commits every file on the connection's thread (tools and tests). */
        public Context(String peer, ServerProtocols protocols, Store store, ReceptionLimits limits,
                       SessionListener listener, SecureRandom random) {
            this(peer, protocols, store, limits, listener, random, Runnable::run, new VersionsInCommit());
        }
    }

    public ServerSession(InputStream in, OutputStream out, Context context) {
        this.in = Objects.requireNonNull(in, "in");
        this.out = Objects.requireNonNull(out, "out");
        this.context = Objects.requireNonNull(context, "context");
    }

    public void run() throws IOException {
        FrameLimits first = SeedReception.limits(context)
                .with(Mode.HELLO, ReceptionLimits.MAX_HELLO, "HELLO is at most 4 KiB");
        FrameReader reader = new FrameReader(in, first);
        reader.watch(context.listener());
        FrameWriter writer = new FrameWriter(out);
        // The transcript starts with the first byte of HELLO, which is the first byte read.
        Transcript transcript = new Transcript();
        reader.transcript(transcript);
        Mode mode = reader.readMode();
        if (mode == null) {
            return;
        }
        if (mode == Mode.HELLO) {
            writer.transcript(transcript);
            new NativeReception(reader, writer, transcript, context).run();
        } else {
            seed = true;
            reader.transcript(null);
            new SeedReception(reader, writer, context).run(mode);
        }
    }

    /**
     * True once the session turned out to be a seed session. A seed client learns that its files
     * were not stored only from a reset connection (it gets no answer), so the caller resets
     * rather than closes a seed session that ends other than by CLOSE.
     */
    public boolean seed() {
        return seed;
    }
}

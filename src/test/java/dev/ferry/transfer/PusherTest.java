package dev.ferry.transfer;

import dev.ferry.security.ClientSecurity;
import dev.ferry.security.SecurityContext;
import dev.ferry.security.plain.PlainPlugin;
import dev.ferry.server.ServerAgent;
import dev.ferry.testing.Servers;
import dev.ferry.testing.TestSettings;
import dev.ferry.testing.Trees;
import dev.ferry.wire.ReplyStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The client side of a native session against a real server agent. */
class PusherTest {
    @TempDir
    Path dir;

    private ServerAgent server;
    private Pusher pusher;

    @BeforeEach
    void start() throws IOException {
        server = Servers.start(TestSettings.load("ferry.server.inbox", dir.resolve("inbox").toString(),
                "ferry.server.host", "127.0.0.1", "ferry.server.port", "0"));
        ClientSecurity plain = new PlainPlugin().client(SecurityContext.of(TestSettings.load()));
        pusher = Pusher.open(new Socket("127.0.0.1", server.port()), plain,
                new Pusher.Options("test", "plain", 4096, 4, Duration.ofSeconds(10), 1L << 20));
    }

    @AfterEach
    void stop() {
        pusher.close();
        server.close();
    }

    private SourceFile source(String name, long size, long seed) throws IOException {
        Path path = dir.resolve("out").resolve(name);
        Trees.write(path, size, seed);
        return new SourceFile(path, name, size, Files.getLastModifiedTime(path).toMillis());
    }

    @Test
    void pipelinesManyFilesAndMatchesRepliesInOrder() throws Exception {
        List<CompletableFuture<Outcome>> results = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            results.add(pusher.push(source("f" + i, 100L * i + 10_000, i)));
        }

        for (int i = 0; i < 40; i++) {
            assertThat(results.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(new Outcome.Stored("f" + i, false));
        }
        assertThat(Trees.digests(dir.resolve("inbox"))).isEqualTo(Trees.digests(dir.resolve("out")));
    }

    @Test
    void aFileThatChangedIsNotCommittedAndTheNextOneIs() throws Exception {
        SourceFile good = source("good", 50_000, 1);
        SourceFile stale = source("stale", 50_000, 2);
        SourceFile changed = new SourceFile(stale.path(), stale.relativeName(), stale.size(), stale.mtimeMillis() - 5000);

        Outcome first = pusher.push(changed).get(10, TimeUnit.SECONDS);
        Outcome second = pusher.push(good).get(10, TimeUnit.SECONDS);

        assertThat(first).isInstanceOf(Outcome.Changed.class);
        assertThat(second).isEqualTo(new Outcome.Stored("good", false));
        assertThat(Trees.digests(dir.resolve("inbox")).keySet()).containsExactly("good");
    }

    @Test
    void aFileThatShrankIsNotCommitted() throws Exception {
        SourceFile claimed = source("shrank", 50_000, 3);
        SourceFile bigger = new SourceFile(claimed.path(), "shrank", 60_000, claimed.mtimeMillis());

        assertThat(pusher.push(bigger).get(10, TimeUnit.SECONDS)).isInstanceOf(Outcome.Changed.class);
        assertThat(pusher.push(source("next", 10, 4)).get(10, TimeUnit.SECONDS))
                .isEqualTo(new Outcome.Stored("next", false));
        assertThat(Trees.digests(dir.resolve("inbox")).keySet()).containsExactly("next");
    }

    @Test
    void refusedNamesComeBackAsBadRequest() throws Exception {
        SourceFile file = source("x", 10, 5);
        SourceFile badName = new SourceFile(file.path(), "CON", file.size(), file.mtimeMillis());

        Outcome outcome = pusher.push(badName).get(10, TimeUnit.SECONDS);

        assertThat(outcome).isInstanceOf(Outcome.Refused.class);
        assertThat(((Outcome.Refused) outcome).status()).isEqualTo(ReplyStatus.BAD_REQUEST);
    }

    @Test
    void sendsAResumableFileFromTheStart() throws Exception {
        SourceFile big = source("big.bin", 3L << 20, 7);

        assertThat(pusher.push(big).get(20, TimeUnit.SECONDS)).isEqualTo(new Outcome.Stored("big.bin", false));
        assertThat(Trees.digests(dir.resolve("inbox"))).isEqualTo(Trees.digests(dir.resolve("out")));
    }

    @Test
    void aTransferLongerThanTheReplyTimeoutIsNotCutShort() throws Exception {
        SourceFile big = source("slow.bin", 4L << 20, 8);
        try (java.net.ServerSocket listener = new java.net.ServerSocket()) {
            // Small buffers, so that little is in flight once the client has written everything:
            // what is measured is the wait after the last byte, not the time to drain buffers.
            listener.setReceiveBufferSize(32 * 1024);
            listener.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            Thread slowServer = new Thread(() -> serveSlowly(listener), "slow-server");
            slowServer.start();
            Socket client = new Socket();
            client.setSendBufferSize(32 * 1024);
            client.connect(listener.getLocalSocketAddress());
            Pusher slow = Pusher.open(client,
                    new dev.ferry.security.plain.PlainPlugin().client(SecurityContext.of(TestSettings.load())),
                    new Pusher.Options("test", "plain", 64 * 1024, 4, Duration.ofSeconds(1), Long.MAX_VALUE));
            try {
                Outcome outcome = slow.push(big).get(60, TimeUnit.SECONDS);

                assertThat(outcome).isEqualTo(new Outcome.Stored("slow.bin", false));
            } finally {
                slow.close();
                slowServer.join(10_000);
            }
        }
    }

    /** A server that takes about 4 s to read a 4 MiB file, four times the client's reply timeout. */
    private static void serveSlowly(java.net.ServerSocket listener) {
        try (Socket socket = listener.accept()) {
            dev.ferry.wire.FrameReader in = new dev.ferry.wire.FrameReader(socket.getInputStream(),
                    dev.ferry.wire.FrameLimits.none().with(dev.ferry.wire.Mode.HELLO, 4096, "t")
                            .with(dev.ferry.wire.Mode.FILE, 4096, "t").with(dev.ferry.wire.Mode.DATA, 1 << 20, "t")
                            .with(dev.ferry.wire.Mode.COMMIT, 72, "t"));
            dev.ferry.wire.FrameWriter out = new dev.ferry.wire.FrameWriter(socket.getOutputStream());
            in.readMode();
            in.readPayload(dev.ferry.wire.Mode.HELLO);
            out.writeReply(ReplyStatus.OK, "ferry=1\nprotocol=plain\nmax-file-size=1000000000\nmax-block=65536\n"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.flush();
            String name = null;
            for (dev.ferry.wire.Mode mode = in.readMode(); mode != null; mode = in.readMode()) {
                byte[] payload = mode.hasPayload() ? in.readPayload(mode) : new byte[0];
                if (mode == dev.ferry.wire.Mode.FILE) {
                    name = KeyValues.parse(payload, "FILE").get("name");
                } else if (mode == dev.ferry.wire.Mode.DATA) {
                    Thread.sleep(60); // the slow server's pace: about 1 MiB a second
                } else if (mode == dev.ferry.wire.Mode.COMMIT) {
                    out.writeReply(ReplyStatus.OK, ("stored=" + name).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        } catch (IOException | InterruptedException e) {
            // the test's assertions say what went wrong
        }
    }

    @Test
    void aVanishedFileIsReportedAsChanged() throws Exception {
        SourceFile gone = source("gone", 10, 6);
        Files.delete(gone.path());

        assertThat(pusher.push(gone).get(1, TimeUnit.SECONDS)).isInstanceOf(Outcome.Changed.class);
    }
}

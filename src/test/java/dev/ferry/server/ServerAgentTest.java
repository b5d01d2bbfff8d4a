package dev.ferry.server;

import dev.ferry.testing.RawClient;
import dev.ferry.testing.RawFrames;
import dev.ferry.testing.Servers;
import dev.ferry.testing.TestSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The server agent on loopback, driven by hand-written frames (PROTOCOL.md sections 1-3). */
class ServerAgentTest {
    private static final String HELLO = "ferry=1\nprotocol=plain\nclient=test\n";

    @TempDir
    Path inbox;

    private ServerAgent server;

    @BeforeEach
    void start() throws IOException {
        server = Servers.start(TestSettings.load("ferry.server.inbox", inbox.toString(),
                "ferry.server.host", "127.0.0.1", "ferry.server.port", "0",
                "ferry.server.max-connections", "4", "ferry.server.handshake-timeout", "500ms",
                "ferry.server.max-file-size", "1 MiB"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] trailer(long size, byte[] digest) {
        return ByteBuffer.allocate(72).putLong(size).put(digest).put(new byte[32]).array();
    }

    private static RawFrames file(RawFrames frames, String name, byte[] content) {
        return frames.frame(0, "name=" + name + "\nsize=" + content.length + "\nmtime=1700000000000\n")
                .frame(1, content)
                .frame(6, trailer(content.length, sha256(content)));
    }

    private List<String> inboxFiles() throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(inbox)) {
            walk.filter(Files::isRegularFile)
                    .map(p -> inbox.relativize(p).toString())
                    .filter(n -> !n.startsWith(Inbox.WORK_DIR))
                    .forEach(names::add);
        }
        return names;
    }

    private RawClient hello() throws IOException {
        RawClient client = new RawClient(server.port());
        client.send(new RawFrames().frame(5, HELLO));
        RawClient.Answer answer = client.readReply();
        assertThat(answer.status()).isZero();
        assertThat(answer.text()).contains("ferry=1\n", "protocol=plain\n", "server-nonce=", "max-file-size=1048576");
        return client;
    }

    @Test
    void storesANativeFileAndKeepsItsSubFolderAndTime() throws IOException {
        byte[] content = "hello, inbox".getBytes(StandardCharsets.UTF_8);
        try (RawClient client = hello()) {
            client.send(file(new RawFrames(), "docs/a.txt", content));

            assertThat(client.readReply()).isEqualTo(new RawClient.Answer(0, "stored=docs/a.txt"));
        }

        assertThat(inbox.resolve("docs/a.txt")).hasBinaryContent(content);
        assertThat(Files.getLastModifiedTime(inbox.resolve("docs/a.txt")).toMillis()).isEqualTo(1700000000000L);
    }

    @Test
    void aFileSentAgainWithTheSameIdIsADuplicateEvenAfterARestart() throws IOException {
        byte[] content = "once only".getBytes(StandardCharsets.UTF_8);
        byte[] id = sha256("version-1".getBytes(StandardCharsets.UTF_8));
        RawFrames frames = new RawFrames().frame(0, "name=a.txt\nsize=9\nmtime=0\n").frame(1, content)
                .frame(6, ByteBuffer.allocate(72).putLong(9).put(sha256(content)).put(id).array());
        try (RawClient client = hello()) {
            client.send(frames);
            client.send(frames);

            assertThat(client.readReply()).isEqualTo(new RawClient.Answer(0, "stored=a.txt"));
            assertThat(client.readReply()).isEqualTo(new RawClient.Answer(0, "duplicate=a.txt"));
        }
        stop();
        start();
        try (RawClient client = hello()) {
            client.send(frames);

            assertThat(client.readReply()).isEqualTo(new RawClient.Answer(0, "duplicate=a.txt"));
        }
        assertThat(inboxFiles()).containsExactly("a.txt");
    }

    @Test
    void theSameVersionSentOnTwoConnectionsAtOnceIsStoredOnceAndAnsweredDuplicateOnTheOther() throws IOException {
        // A client that lost an acknowledgement may send the file again on another connection while
        // the first copy is still being committed: the second must wait for that commit's receipt.
        int versions = 20;
        try (RawClient first = hello(); RawClient second = hello()) {
            for (int i = 0; i < versions; i++) {
                RawFrames frames = versionFrames(i);
                first.send(frames);
                second.send(frames);
            }

            List<String> answers = new ArrayList<>();
            for (int i = 0; i < versions; i++) {
                answers.add(first.readReply().text());
                answers.add(second.readReply().text());
            }

            for (int i = 0; i < versions; i++) {
                assertThat(answers.subList(2 * i, 2 * i + 2)).as("answers for v%d.txt", i)
                        .containsExactlyInAnyOrder("stored=v" + i + ".txt", "duplicate=v" + i + ".txt");
            }
        }
        assertThat(inboxFiles()).hasSize(versions);
    }

    private static RawFrames versionFrames(int i) {
        byte[] content = ("version " + i).getBytes(StandardCharsets.UTF_8);
        byte[] id = sha256(("two-connections-" + i).getBytes(StandardCharsets.UTF_8));
        return new RawFrames().frame(0, "name=v" + i + ".txt\nsize=" + content.length + "\nmtime=0\n")
                .frame(1, content)
                .frame(6, ByteBuffer.allocate(72).putLong(content.length).put(sha256(content)).put(id).array());
    }

    @Test
    void aFileStoredJustBeforeACrashIsADuplicateAfterTheRestart() throws IOException {
        byte[] content = "stored before the crash".getBytes(StandardCharsets.UTF_8);
        byte[] id = sha256("crash-version".getBytes(StandardCharsets.UTF_8));
        stop();
        // The state a server leaves when it dies after publishing and before recording the receipt.
        Files.write(inbox.resolve("crash.txt"), content);
        Files.createLink(inbox.resolve(".ferry/tmp/" + java.util.HexFormat.of().formatHex(id) + ".01.committing"),
                inbox.resolve("crash.txt"));
        start();

        try (RawClient client = hello()) {
            client.send(new RawFrames().frame(0, "name=crash.txt\nsize=" + content.length + "\nmtime=0\n")
                    .frame(1, content)
                    .frame(6, ByteBuffer.allocate(72).putLong(content.length).put(sha256(content)).put(id).array()));

            assertThat(client.readReply()).isEqualTo(new RawClient.Answer(0, "duplicate=crash.txt"));
        }
        assertThat(inboxFiles()).containsExactly("crash.txt");
    }

    @Test
    void aResumableFileContinuesFromWhatTheServerHeldWhenTheConnectionBroke() throws IOException {
        byte[] content = new byte[300_000];
        new java.util.Random(5).nextBytes(content);
        String key = "ab".repeat(32);
        String header = "name=big.bin\nsize=" + content.length + "\nmtime=0\nresume-key=" + key + "\n";
        try (RawClient first = hello()) {
            first.send(new RawFrames().frame(0, header).frame(1, java.util.Arrays.copyOf(content, 100_000)));

            assertThat(first.readReply()).isEqualTo(new RawClient.Answer(0, "offset=0"));
        }
        Path forced = inbox.resolve(".ferry/partial/" + key + ".forced");
        org.awaitility.Awaitility.await().until(() -> Files.exists(forced) && Files.readString(forced).equals("100000"));

        try (RawClient second = hello()) {
            second.send(new RawFrames().frame(0, header));
            assertThat(second.readReply()).isEqualTo(new RawClient.Answer(0, "offset=100000"));
            second.send(new RawFrames().frame(1, java.util.Arrays.copyOfRange(content, 100_000, content.length))
                    .frame(6, trailer(content.length, sha256(content))));

            assertThat(second.readReply()).isEqualTo(new RawClient.Answer(0, "stored=big.bin"));
        }
        assertThat(inbox.resolve("big.bin")).hasBinaryContent(content);
        try (Stream<Path> partial = Files.list(inbox.resolve(".ferry/partial"))) {
            assertThat(partial).isEmpty();
        }
    }

    @Test
    void aResumableFileAbandonedByTheClientIsNotKept() throws IOException {
        String key = "cd".repeat(32);
        try (RawClient client = hello()) {
            client.send(new RawFrames().frame(0, "name=a\nsize=10\nmtime=0\nresume-key=" + key + "\n")
                    .frame(1, "12345"));
            assertThat(client.readReply()).isEqualTo(new RawClient.Answer(0, "offset=0"));
            client.send(new RawFrames().u64(2));

            assertThat(client.closedByServer()).isTrue();
        }
        org.awaitility.Awaitility.await().untilAsserted(() -> {
            try (Stream<Path> partial = Files.list(inbox.resolve(".ferry/partial"))) {
                assertThat(partial).isEmpty();
            }
        });
    }

    @Test
    void wrongDigestGetsIntegrityAndStoresNothing() throws IOException {
        byte[] content = "tampered".getBytes(StandardCharsets.UTF_8);
        try (RawClient client = hello()) {
            client.send(new RawFrames().frame(0, "name=a.txt\nsize=8\nmtime=0\n").frame(1, content)
                    .frame(6, trailer(8, sha256("original".getBytes(StandardCharsets.UTF_8)))));

            RawClient.Answer answer = client.readReply();

            assertThat(answer.status()).isEqualTo(3);
            assertThat(answer.text()).contains("SHA-256");
        }
        assertThat(inboxFiles()).isEmpty();
    }

    @Test
    void moreDataThanAnnouncedGetsIntegrityAtOnce() throws IOException {
        try (RawClient client = hello()) {
            client.send(new RawFrames().frame(0, "name=a.txt\nsize=2\nmtime=0\n").frame(1, "abc"));

            assertThat(client.readReply().status()).isEqualTo(3);
        }
        assertThat(inboxFiles()).isEmpty();
    }

    @Test
    void badNameIsRefusedAndTheConnectionGoesOn() throws IOException {
        try (RawClient client = hello()) {
            client.send(file(new RawFrames(), "../escape.txt", new byte[] {1}));
            client.send(file(new RawFrames(), "ok.txt", new byte[] {2}));

            RawClient.Answer refused = client.readReply();
            assertThat(refused.status()).isEqualTo(2);
            assertThat(refused.text()).contains("..");
            assertThat(client.readReply()).isEqualTo(new RawClient.Answer(0, "stored=ok.txt"));
        }
        assertThat(inboxFiles()).containsExactly("ok.txt");
    }

    @Test
    void fileAboveMaxFileSizeIsTooLarge() throws IOException {
        try (RawClient client = hello()) {
            client.send(new RawFrames().frame(0, "name=big\nsize=2000000\nmtime=0\n"));

            RawClient.Answer answer = client.readReply();

            assertThat(answer.status()).isEqualTo(4);
            assertThat(answer.text()).contains("ferry.server.max-file-size");
        }
    }

    @Test
    void newFileBeforeCommitAbandonsThePreviousOne() throws IOException {
        try (RawClient client = hello()) {
            client.send(new RawFrames().frame(0, "name=first\nsize=3\nmtime=0\n").frame(1, "abc"));
            client.send(file(new RawFrames(), "second", new byte[] {9}));

            assertThat(client.readReply()).isEqualTo(new RawClient.Answer(2, "abandoned=first"));
            assertThat(client.readReply()).isEqualTo(new RawClient.Answer(0, "stored=second"));
        }
        assertThat(inboxFiles()).containsExactly("second");
    }

    @Test
    void refusesAProtocolItDoesNotAccept() throws IOException {
        try (RawClient client = new RawClient(server.port())) {
            client.send(new RawFrames().frame(5, "ferry=1\nprotocol=cp2\n"));

            RawClient.Answer answer = client.readReply();

            assertThat(answer.status()).isEqualTo(1);
            assertThat(answer.text()).isEqualTo("protocol cp2 is not accepted here; accepted: plain");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void protocolErrorsCloseOnlyThatConnection() throws IOException {
        List<RawFrames> attacks = List.of(
                new RawFrames().frame(1, "data before file"),
                new RawFrames().frame(6, new byte[72]),
                new RawFrames().u64(99),
                new RawFrames().u64(1).u64(-1L),
                new RawFrames().frame(5, HELLO));
        for (RawFrames attack : attacks) {
            try (RawClient client = hello()) {
                client.send(attack);

                assertThat(client.closedByServer()).as("server closes after %s", attack).isTrue();
            }
        }
        try (RawClient good = hello()) {
            good.send(file(new RawFrames(), "after.txt", new byte[] {1}));
            assertThat(good.readReply().status()).isZero();
        }
        assertThat(inboxFiles()).containsExactly("after.txt");
    }

    @Test
    void seedStylePlainClientStoresItsFile() throws IOException {
        byte[] content = "from a seed client".getBytes(StandardCharsets.UTF_8);
        try (RawClient client = new RawClient(server.port())) {
            client.send(new RawFrames().frame(0, "some/dir/seed.txt").frame(1, content).u64(2));

            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(inbox.resolve("seed.txt")).hasBinaryContent(content);
    }

    @Test
    void dropsAClientThatDoesNotFinishItsHandshake() throws IOException {
        try (RawClient silent = new RawClient(server.port())) {
            long start = System.nanoTime();

            assertThat(silent.closedByServer()).isTrue();
            assertThat(System.nanoTime() - start).isLessThan(5_000_000_000L);
        }
    }

    @Test
    void refusesForNowAFileThatWouldFillTheDisk() throws IOException {
        server.close();
        server = Servers.start(TestSettings.load("ferry.server.inbox", inbox.toString(),
                "ferry.server.host", "127.0.0.1", "ferry.server.port", "0", "ferry.server.max-file-size", "1 MiB",
                "ferry.server.min-free-space", "1000000 TiB"));
        try (RawClient client = hello()) {
            client.send(file(new RawFrames(), "a.txt", new byte[] {1}));

            RawClient.Answer answer = client.readReply();

            assertThat(answer.status()).isEqualTo(5);
            assertThat(answer.text()).contains("ferry.server.min-free-space");
        }
        assertThat(inboxFiles()).isEmpty();
    }

    @Test
    void cutsAPeerThatTricklesAFrame() throws Exception {
        server.close();
        server = Servers.start(TestSettings.load("ferry.server.inbox", inbox.toString(),
                "ferry.server.host", "127.0.0.1", "ferry.server.port", "0", "ferry.server.max-file-size", "1 MiB",
                "ferry.server.frame-timeout", "500ms"));
        try (RawClient slow = hello()) {
            slow.send(new RawFrames().frame(0, "name=slow.bin\nsize=1000\nmtime=0\n").u64(1).u64(1000));
            long start = System.nanoTime();
            boolean cut = false;
            for (int i = 0; i < 100 && !cut; i++) {
                try {
                    slow.send(new RawFrames().raw(new byte[] {7}));
                    Thread.sleep(100); // the attacker's pace: one byte every 100 ms
                } catch (IOException e) {
                    cut = true;
                }
            }

            assertThat(cut || slow.closedByServer()).isTrue();
            assertThat(System.nanoTime() - start).isLessThan(8_000_000_000L);
        }
        assertThat(inboxFiles()).isEmpty();
    }

    @Test
    void idleConnectionsDoNotKeepAGoodClientOut() throws Exception {
        server.close();
        server = Servers.start(TestSettings.load("ferry.server.inbox", inbox.toString(),
                "ferry.server.host", "127.0.0.1", "ferry.server.port", "0", "ferry.server.max-file-size", "1 MiB",
                "ferry.server.handshake-timeout", "60s"));
        List<java.net.Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 500; i++) {
                idle.add(new java.net.Socket("127.0.0.1", server.port()));
            }

            try (RawClient good = hello()) {
                good.send(file(new RawFrames(), "good.txt", new byte[] {42}));
                assertThat(good.readReply()).isEqualTo(new RawClient.Answer(0, "stored=good.txt"));
            }
        } finally {
            for (java.net.Socket socket : idle) {
                socket.close();
            }
        }
        assertThat(inboxFiles()).containsExactly("good.txt");
    }

    @Test
    void aFloodOfTinyFramesDoesNotKeepAGoodClientWaiting() throws Exception {
        java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread flood = new Thread(() -> {
            try (RawClient attacker = hello()) {
                attacker.send(new RawFrames().frame(0, "name=flood.bin\nsize=1000000\nmtime=0\n"));
                RawFrames tiny = new RawFrames();
                for (int i = 0; i < 100; i++) {
                    tiny.frame(1, new byte[] {1});
                }
                while (!stop.get() && sent.get() < 1_000_000) {
                    attacker.send(tiny);
                    sent.addAndGet(100);
                }
            } catch (IOException e) {
                // the server may cut the flood; that is allowed
            }
        }, "flood");
        flood.start();
        try {
            org.awaitility.Awaitility.await().until(() -> sent.get() > 10_000);

            try (RawClient good = hello()) {
                good.send(file(new RawFrames(), "good.txt", new byte[] {5}));
                assertThat(good.readReply()).isEqualTo(new RawClient.Answer(0, "stored=good.txt"));
            }
        } finally {
            stop.set(true);
            flood.join(10_000);
        }
        assertThat(sent.get()).as("tiny frames sent").isGreaterThan(10_000);
        assertThat(inboxFiles()).containsExactly("good.txt");
    }

    @Test
    void dropsAConnectionThatStaysIdle() throws IOException {
        server.close();
        server = Servers.start(TestSettings.load("ferry.server.inbox", inbox.toString(),
                "ferry.server.host", "127.0.0.1", "ferry.server.port", "0", "ferry.server.idle-timeout", "1s",
                "ferry.server.max-file-size", "1 MiB"));
        try (RawClient idle = hello()) {
            long start = System.nanoTime();

            assertThat(idle.closedByServer()).isTrue();
            assertThat(System.nanoTime() - start).isBetween(500_000_000L, 8_000_000_000L);
        }
    }

    @Test
    void closesConnectionsBeyondTheLimitAndStillServesAfterwards() throws IOException {
        List<RawClient> held = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                held.add(hello());
            }
            try (RawClient extra = new RawClient(server.port())) {
                assertThat(extra.closedByServer()).isTrue();
            }
        } finally {
            for (RawClient client : held) {
                client.close();
            }
        }
        org.awaitility.Awaitility.await().untilAsserted(() -> {
            try (RawClient client = hello()) {
                client.send(file(new RawFrames(), "later.txt", new byte[] {3}));
                assertThat(client.readReply().status()).isZero();
            }
        });
    }
}

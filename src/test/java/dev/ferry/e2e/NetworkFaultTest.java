package dev.ferry.e2e;

import ch.qos.logback.classic.Level;
import dev.ferry.client.ClientAgent;
import dev.ferry.server.ServerAgent;
import dev.ferry.testing.Clients;
import dev.ferry.testing.Fault;
import dev.ferry.testing.FaultPoints;
import dev.ferry.testing.LogLines;
import dev.ferry.testing.Running;
import dev.ferry.testing.Servers;
import dev.ferry.testing.TestPki;
import dev.ferry.testing.TestProxy.Direction;
import dev.ferry.testing.TestProxy;
import dev.ferry.testing.TestSettings;
import dev.ferry.testing.Trees;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Both agents in this JVM under cp2, the client talking through a {@link TestProxy} that breaks its
 * first connection: dropped, reset, or stalled past or within the client's {@code reply-timeout},
 * during the handshake, inside a large resumable file's DATA, after the server committed that file
 * and before its REPLY, and inside that REPLY; reset after a chosen time; or fragmented into 1-byte
 * writes both ways for a whole session. After each, every file is in the inbox exactly once with its
 * SHA-256, the outbox is empty, no temporary or partial file is left in the inbox, no thread of
 * either agent failed, and the server still serves.
 */
class NetworkFaultTest {
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration STALL_PAST_REPLY_TIMEOUT = REPLY_TIMEOUT.plusSeconds(1);
    private static final Duration STALL_WITHIN_REPLY_TIMEOUT = Duration.ofMillis(500);
    private static final long LARGE = 3L << 20;
    private static final long RESUME_THRESHOLD = 1L << 20;
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    static Path certs;

    private static TestPki pki;

    @TempDir
    Path dir;

    @RegisterExtension
    final Running running = new Running();
    private LogLines logs;
    private TestProxy proxy;

    /** What the fault does to the first connection. */
    enum Cut {
        DROP, RESET, STALL_PAST_REPLY_TIMEOUT, STALL_WITHIN_REPLY_TIMEOUT;

        boolean endsTheSession() {
            return this != STALL_WITHIN_REPLY_TIMEOUT;
        }
    }

    /** Where in the first connection it strikes. */
    enum Point {
        /** Server to client, inside the certificate chain of the AUTH answer. */
        HANDSHAKE,
        /** Client to server, inside the large file's DATA once 1 MiB of it was sent. */
        LARGE_FILE_DATA,
        /** Server to client, before the first byte of the REPLY to the large file's COMMIT. */
        AFTER_COMMIT_BEFORE_REPLY,
        /** Server to client, inside the payload of that REPLY. */
        INSIDE_REPLY;

        boolean losesTheAcknowledgement() {
            return this == AFTER_COMMIT_BEFORE_REPLY || this == INSIDE_REPLY;
        }
    }

    @BeforeAll
    static void mintCertificates() {
        pki = TestPki.create(certs);
    }

    @BeforeEach
    void captureLogs() {
        logs = running.add(LogLines.capture());
    }

    static Stream<Arguments> cutsAndPoints() {
        return Arrays.stream(Cut.values()).flatMap(cut -> Arrays.stream(Point.values())
                .map(point -> Arguments.of(cut, point)));
    }

    @ParameterizedTest(name = "{0} at {1}")
    @MethodSource("cutsAndPoints")
    void everyFileArrivesExactlyOnceWhenTheFirstConnectionIsCut(Cut cut, Point point) throws Exception {
        Map<String, String> expected = outboxWithALargeFile(LARGE);
        startAgents(RESUME_THRESHOLD, fault(cut, point));

        awaitDeliveredCleanly(expected);

        TestProxy.Connection first = proxy.connections().get(0);
        assertThat(first.strikes()).as("the fault struck").hasSize(1);
        if (cut.endsTheSession()) {
            assertThat(proxy.connections()).as("connections after %s", first.strikes()).hasSizeGreaterThan(1);
        } else {
            assertThat(proxy.connections()).as("a stall within reply-timeout keeps the session").hasSize(1);
        }
        if ((cut == Cut.DROP || cut == Cut.RESET) && point == Point.LARGE_FILE_DATA) {
            assertThat(logs.client(Level.INFO)).as("the large file continued from what the server held")
                    .anySatisfy(line -> assertThat(line).startsWith("resuming file=large.bin from="));
        }
        if (cut.endsTheSession() && point.losesTheAcknowledgement()) {
            assertThat(logs.client(Level.INFO)).as("sent again, the committed file was recognised")
                    .anySatisfy(line -> assertThat(line).startsWith("delivered file=large.bin ")
                            .endsWith("duplicate=true"));
        }
        theServerStillServes(expected);
    }

    @Test
    void everyFileArrivesExactlyOnceWhenASlowSessionIsResetAfterAChosenTime() throws Exception {
        Map<String, String> expected = outboxWithALargeFile(LARGE);
        // In 1-byte writes the first session carries a few hundred KiB in those 300 ms, not the 3 MiB file.
        startAgents(RESUME_THRESHOLD, Fault.fragment(Direction.CLIENT_TO_SERVER, Fault.atByte(0)),
                Fault.reset(Direction.CLIENT_TO_SERVER, Fault.after(Duration.ofMillis(300))));

        awaitDeliveredCleanly(expected);

        assertThat(proxy.connections().get(0).strikes()).containsExactlyInAnyOrder("c2s FRAGMENT at byte 0",
                "c2s RESET after 300ms");
        assertThat(proxy.connections()).as("the reset struck while files were in flight").hasSizeGreaterThan(1);
        theServerStillServes(expected);
    }

    @Test
    void aWholeSessionInOneByteWritesBothWaysDeliversEveryFile() throws Exception {
        Map<String, String> expected = outboxWithALargeFile(160 << 10);
        startAgents(128 << 10, Fault.fragment(Direction.CLIENT_TO_SERVER, Fault.atByte(0)),
                Fault.fragment(Direction.SERVER_TO_CLIENT, Fault.atByte(0)));

        awaitDeliveredCleanly(expected);

        assertThat(proxy.connections().get(0).strikes()).containsExactlyInAnyOrder("c2s FRAGMENT at byte 0",
                "s2c FRAGMENT at byte 0");
        theServerStillServes(expected);
        assertThat(proxy.connections()).as("every file went through the fragmented session").hasSize(1);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static Fault fault(Cut cut, Point point) {
        Direction direction = point == Point.LARGE_FILE_DATA ? Direction.CLIENT_TO_SERVER : Direction.SERVER_TO_CLIENT;
        Fault.Trigger at = Fault.at(switch (point) {
            case HANDSHAKE -> FaultPoints.insideServerCertificate();
            case LARGE_FILE_DATA -> FaultPoints.insideLargeFile(RESUME_THRESHOLD);
            case AFTER_COMMIT_BEFORE_REPLY -> FaultPoints.beforeReplyToLargeFile(RESUME_THRESHOLD);
            case INSIDE_REPLY -> FaultPoints.insideReplyToLargeFile(RESUME_THRESHOLD);
        });
        return switch (cut) {
            case DROP -> Fault.drop(direction, at);
            case RESET -> Fault.reset(direction, at);
            case STALL_PAST_REPLY_TIMEOUT -> Fault.stall(direction, at, STALL_PAST_REPLY_TIMEOUT);
            case STALL_WITHIN_REPLY_TIMEOUT -> Fault.stall(direction, at, STALL_WITHIN_REPLY_TIMEOUT);
        };
    }

    private Path inbox() {
        return dir.resolve("inbox");
    }

    private Path outbox() {
        return dir.resolve("outbox");
    }

    /** Small files (one empty, some in sub-folders) and one large file of {@code largeSize} bytes. */
    private Map<String, String> outboxWithALargeFile(long largeSize) throws IOException {
        Map<String, String> expected = new TreeMap<>();
        long[] sizes = {0, 1024, 20 << 10, 60 << 10};
        String[] names = {"small/empty.txt", "small/one.bin", "two.bin", "deep/er/three.bin"};
        for (int i = 0; i < sizes.length; i++) {
            expected.put(names[i], Trees.write(outbox().resolve(names[i]), sizes[i], i));
        }
        expected.put("large.bin", Trees.write(outbox().resolve("large.bin"), largeSize, 42));
        return expected;
    }

    /** A cp2 server, a proxy to it with {@code faults} on its first connection, and a client through the proxy. */
    private void startAgents(long resumeThreshold, Fault... faults) throws IOException {
        ServerAgent server = Servers.start(TestSettings.load(TestPki.join(pki.settings("cp2"), new String[] {
            "ferry.server.host", "127.0.0.1",
            "ferry.server.port", "0",
            "ferry.server.inbox", inbox().toString()})));
        running.add(server);
        proxy = TestProxy.start(server.port()).fault(1, faults);
        running.add(proxy);
        ClientAgent client = Clients.start(TestSettings.load(TestPki.join(pki.settings("cp2"), new String[] {
            "ferry.client.name", "network-fault-test",
            // The faults are aimed at the first connection, so every file must travel on it.
            "ferry.client.connections", "1",
            "ferry.client.server-port", Integer.toString(proxy.port()),
            "ferry.client.outbox", outbox().toString(),
            "ferry.client.settle-time", "100ms",
            "ferry.client.rescan-interval", "1s",
            "ferry.client.retry.initial", "50ms",
            "ferry.client.retry.max", "500ms",
            "ferry.client.reply-timeout", REPLY_TIMEOUT.toMillis() + "ms",
            "ferry.client.resume-threshold", Long.toString(resumeThreshold)})));
        running.add(client);
    }

    /**
     * Waits until the inbox holds exactly {@code expected} and the outbox nothing (nor its failed
     * folder); then checks that the inbox's work folders are empty, each file was stored and
     * confirmed once, and no thread of either agent failed.
     */
    private void awaitDeliveredCleanly(Map<String, String> expected) throws IOException {
        await().atMost(PATIENCE).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            assertThat(Trees.digests(inbox())).isEqualTo(expected);
            assertThat(Trees.digests(outbox())).isEmpty();
            // The client logs a delivery just after it deleted the file.
            for (String name : expected.keySet()) {
                assertThat(logs.client(Level.INFO)).as("delivered lines of %s", name)
                        .filteredOn(line -> line.startsWith("delivered file=" + name + " ")).hasSize(1);
            }
        });
        assertThat(outbox().resolve(".failed")).doesNotExist();
        assertThat(leftovers()).as("temporary or partial files in the inbox").isEmpty();
        for (String name : expected.keySet()) {
            assertThat(logs.server(Level.INFO)).as("stored lines of %s", name)
                    .filteredOn(line -> line.startsWith("stored file=" + name + " ")).hasSize(1);
        }
        assertThat(logs.server(Level.WARN)).as("refusals, which only a file still held by a broken connection earns")
                .filteredOn(line -> line.startsWith("refused file="))
                .allSatisfy(line -> assertThat(line).contains("status=UNAVAILABLE",
                        "is being received on another connection", "ferry.server.idle-timeout"));
        assertThat(logs.server(Level.ERROR)).isEmpty();
        assertThat(logs.client(Level.ERROR)).isEmpty();
    }

    /** A file dropped into the outbox now is delivered too. */
    private void theServerStillServes(Map<String, String> delivered) throws IOException {
        Map<String, String> expected = new TreeMap<>(delivered);
        expected.put("after.bin", Trees.write(outbox().resolve("after.bin"), 5000, 99));

        awaitDeliveredCleanly(expected);
    }

    private List<String> leftovers() throws IOException {
        List<String> left = new ArrayList<>();
        for (String folder : List.of(".ferry/tmp", ".ferry/partial")) {
            try (Stream<Path> files = Files.list(inbox().resolve(folder))) {
                files.forEach(file -> left.add(folder + "/" + file.getFileName()));
            }
        }
        return left;
    }
}

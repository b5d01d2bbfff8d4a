package dev.ferry.e2e;

import dev.ferry.client.ClientAgent;
import dev.ferry.server.ServerAgent;
import dev.ferry.testing.Clients;
import dev.ferry.testing.Running;
import dev.ferry.testing.Servers;
import dev.ferry.testing.TestPki;
import dev.ferry.testing.TestProxy.Direction;
import dev.ferry.testing.TestProxy;
import dev.ferry.testing.TestSettings;
import dev.ferry.testing.Trees;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a passive observer of the wire learns (PROTOCOL.md 3.3): a proxy records every byte of a
 * delivery both ways, and under cp1 and cp2 neither the file's content nor its name nor its folder
 * appears in the recording. Under plain they all do: the control that shows the search finds them.
 */
class ConfidentialityTest {
    private static final int FILE_BYTES = 24 * 1024;
    private static final int MARKER_AT = 10_001;

    @TempDir
    static Path certs;

    private static TestPki pki;

    @TempDir
    Path dir;

    private final SecureRandom random = new SecureRandom();
    @RegisterExtension
    final Running running = new Running();

    /** The secrets put into one file, and every byte the proxy saw while it was delivered. */
    private record Observed(byte[] content, String folder, String name, List<byte[]> recordings) {
        /** The recordings (one per connection and direction) that contain {@code needle}. */
        long containing(byte[] needle) {
            return recordings.stream().filter(r -> TestProxy.indexOf(r, needle) >= 0).count();
        }

        long containing(String text) {
            return containing(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    @BeforeAll
    static void mintCertificates() {
        pki = TestPki.create(certs);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cp1", "cp2"})
    void recordedSessionShowsNeitherContentNorNames(String protocol) throws Exception {
        Observed observed = recordThroughProxy(protocol, ".bin", ConfidentialityTest::delivered);

        assertThat(observed.recordings()).isNotEmpty();
        assertThat(observed.containing(observed.content())).as("recordings with the content marker").isZero();
        assertThat(observed.containing(observed.name())).as("recordings with the file name marker").isZero();
        assertThat(observed.containing(observed.folder())).as("recordings with the folder name marker").isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cp1", "cp2"})
    void refusalOfANameDoesNotRepeatIt(String protocol) throws Exception {
        // ':' is refused by every inbox (NTFS streams): the server answers BAD_REQUEST with a reason.
        Observed observed = recordThroughProxy(protocol, ":stream.bin", ConfidentialityTest::movedToFailed);

        assertThat(observed.containing(observed.content())).as("recordings with the content marker").isZero();
        assertThat(observed.containing(observed.name())).as("recordings with the file name marker").isZero();
        assertThat(observed.containing(observed.folder())).as("recordings with the folder name marker").isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cp1", "cp2"})
    void aDuplicateAnswerDoesNotNameTheFile(String protocol) throws Exception {
        // The same version dropped again after its delivery is answered duplicate=, which names where it was stored.
        Observed observed = recordThroughProxy(protocol, ".bin", ConfidentialityTest::delivered, 2);

        assertThat(observed.containing(observed.content())).as("recordings with the content marker").isZero();
        assertThat(observed.containing(observed.name())).as("recordings with the file name marker").isZero();
        assertThat(observed.containing(observed.folder())).as("recordings with the folder name marker").isZero();
    }

    @Test
    void recordedPlainSessionShowsContentAndNames() throws Exception {
        Observed observed = recordThroughProxy("plain", ".bin", ConfidentialityTest::delivered);

        assertThat(observed.containing(observed.content())).as("recordings with the content marker").isPositive();
        assertThat(observed.containing(observed.name())).as("recordings with the file name marker").isPositive();
        assertThat(observed.containing(observed.folder())).as("recordings with the folder name marker").isPositive();
    }

    /** The pushed file arrived whole under its name and left the outbox. */
    private static void delivered(Path outbox, Path inbox, String relative, String sha) {
        assertThat(Trees.digests(inbox)).isEqualTo(Map.of(relative, sha));
        assertThat(Trees.digests(outbox)).isEmpty();
    }

    /** The server refused the pushed file: nothing arrived, the client moved it aside with its reason. */
    private static void movedToFailed(Path outbox, Path inbox, String relative, String sha) {
        assertThat(Trees.digests(inbox)).isEmpty();
        assertThat(outbox.resolve(".failed")).isDirectory();
        assertThat(Trees.digests(outbox.resolve(".failed"))).containsEntry(relative, sha)
                .containsKey(relative + ".reason");
    }

    /** What a test waits for after the push; it asserts and throws until then. */
    @FunctionalInterface
    private interface Outcome {
        void check(Path outbox, Path inbox, String relative, String sha);
    }

    /**
     * Puts a random 32-byte marker inside a file's content and random hex markers in its name
     * (followed by {@code suffix}) and folder, pushes it through a recording proxy until
     * {@code outcome} holds, ends the session, and returns every recording.
     */
    private Observed recordThroughProxy(String protocol, String suffix, Outcome outcome) throws Exception {
        return recordThroughProxy(protocol, suffix, outcome, 1);
    }

    /** As above, dropping the same file version {@code drops} times, each after the last one's outcome. */
    private Observed recordThroughProxy(String protocol, String suffix, Outcome outcome, int drops) throws Exception {
        byte[] content = new byte[32];
        random.nextBytes(content);
        String folder = "folder-" + hex(8);
        String name = "report-" + hex(8);
        String relative = folder + "/" + name + suffix;
        Path outbox = dir.resolve("outbox");
        Path inbox = dir.resolve("inbox");
        String sha = writeWithMarker(outbox.resolve(relative), content);
        FileTime modified = Files.getLastModifiedTime(outbox.resolve(relative));
        ServerAgent server = Servers.start(TestSettings.load(TestPki.join(pki.settings(protocol), new String[] {
            "ferry.server.host", "127.0.0.1", "ferry.server.port", "0",
            "ferry.server.inbox", inbox.toString()})));
        running.add(server);
        TestProxy proxy = TestProxy.start(server.port());
        running.add(proxy);
        ClientAgent client = Clients.start(TestSettings.load(TestPki.join(pki.settings(protocol), new String[] {
            "ferry.client.server-port", Integer.toString(proxy.port()),
            "ferry.client.outbox", outbox.toString(),
            "ferry.client.settle-time", "100ms"})));
        running.add(client);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> outcome.check(outbox, inbox, relative, sha));
        for (int drop = 1; drop < drops; drop++) {
            writeWithMarker(outbox.resolve(relative), content);
            Files.setLastModifiedTime(outbox.resolve(relative), modified);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(Files.exists(outbox.resolve(relative))).as("the file dropped again is still in the outbox")
                        .isFalse();
                outcome.check(outbox, inbox, relative, sha);
            });
        }
        running.remove(client);
        client.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.connections().stream()
                .allMatch(TestProxy.Connection::finished));

        List<byte[]> recordings = new ArrayList<>();
        for (TestProxy.Connection connection : proxy.connections()) {
            assertThat(connection.problem()).as("%s", connection).isNull();
            for (Direction direction : Direction.values()) {
                recordings.add(connection.sent(direction));
            }
        }
        return new Observed(content, folder, name, recordings);
    }

    /** Writes pseudo-random bytes with {@code marker} at {@code MARKER_AT}; returns the SHA-256 (hex). */
    private static String writeWithMarker(Path file, byte[] marker) throws IOException {
        byte[] bytes = new byte[FILE_BYTES];
        new Random(7).nextBytes(bytes);
        System.arraycopy(marker, 0, bytes, MARKER_AT, marker.length);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
        return Trees.sha256(file);
    }

    private String hex(int bytes) {
        byte[] value = new byte[bytes];
        random.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }
}

package dev.ferry.e2e;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.client.ClientAgent;
import dev.ferry.config.FerrySettings;
import dev.ferry.security.SeedRecording;
import dev.ferry.server.ServerAgent;
import dev.ferry.testing.Clients;
import dev.ferry.testing.Servers;
import dev.ferry.testing.TestPki;
import dev.ferry.testing.TestSettings;
import dev.ferry.testing.Trees;
import dev.ferry.testing.seed.SeedClient;
import dev.ferry.testing.seed.SeedClient.Upload;
import dev.ferry.testing.seed.SeedProtocol;
import dev.ferry.testing.seed.SeedServer;
import dev.ferry.testing.seed.SeedServer.Behaviour;
import dev.ferry.testing.seed.SeedServer.Ending;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.SignatureException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Ferry against stand-ins for the original programs ({@link SeedClient}, {@link SeedServer}),
 * written from PROTOCOL.md section 2 alone: their client stores into our server, and our client
 * in compat mode delivers to their server, keeping its files whenever that server did not close
 * the session in order. cp1 costs about 1.3 ms per 190 bytes, so the files are small.
 */
class SeedInteropTest {
    private static final Duration SESSION = Duration.ofSeconds(30);

    @TempDir
    static Path certs;

    private static TestPki pki;
    private static TestPki otherCa;

    @TempDir
    Path dir;

    @BeforeAll
    static void mintCertificates() {
        pki = TestPki.create(certs.resolve("ca"));
        otherCa = TestPki.create(certs.resolve("other-ca"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "ap", "cp1", "cp2"})
    void theirClientsFilesAreStoredByOurServerUnderTheLastSegment(String protocol) throws Exception {
        byte[] one = content(3000, 1);
        byte[] two = content(20_000, 2);
        List<Upload> uploads = List.of(new Upload("files/one.txt", one), new Upload("files/deep/two.bin", two),
                new Upload("files/empty.txt", new byte[0]));

        try (ServerAgent server = Servers.start(serverSettings(protocol, pki))) {
            SeedClient.of(SeedProtocol.of(protocol), pki.folder().caCert()).send(server.port(), uploads);

            await().atMost(SESSION).untilAsserted(() -> assertThat(Trees.digests(dir.resolve("inbox")))
                    .isEqualTo(Map.of("one.txt", sha256(one), "two.bin", sha256(two), "empty.txt", sha256(new byte[0]))));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ap", "cp1", "cp2"})
    void theirClientRefusesOurServerCertifiedByAnotherCa(String protocol) throws Exception {
        SeedClient client = SeedClient.of(SeedProtocol.of(protocol), pki.folder().caCert());

        try (ServerAgent server = Servers.start(serverSettings(protocol, otherCa))) {
            assertThatThrownBy(() -> client.send(server.port(), List.of(new Upload("files/one.txt", content(100, 1)))))
                    .isInstanceOf(SignatureException.class)
                    .hasMessageContaining("is not signed by the CA");
        }
        assertThat(Trees.digests(dir.resolve("inbox"))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "ap", "cp1", "cp2"})
    void theirServerStoresTheOriginalClientsRecordedSession(String protocol) throws Exception {
        SeedServer.Identity recorded = SeedServer.Identity.of(SeedRecording.resource("server_signed.crt"),
                SeedRecording.resource("server_private_key.test-only.pem"));
        byte[] session = SeedRecording.resource(protocol + ".c2s");
        List<byte[]> files = SeedRecording.files();
        SeedServer server = SeedServer.start(SeedProtocol.of(protocol), protocol.equals("plain") ? null : recorded,
                received(), 0, Behaviour.NORMAL);

        try (server; Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            OutputStream out = socket.getOutputStream();
            // Without the second CLOSE, which reaches the original server only after it has closed.
            out.write(Arrays.copyOf(session, session.length - 8));
            out.flush();
            assertThat(server.awaitTermination(SESSION)).isTrue();
        }

        assertThat(server.ending()).as("failure: %s", server.failure()).isEqualTo(Ending.CLOSE);
        assertThat(Trees.digests(received()))
                .isEqualTo(Map.of("hello.txt", sha256(files.get(0)), "random-100k.bin", sha256(files.get(1))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "ap", "cp1", "cp2"})
    void ourCompatClientDeliversToTheirServerAndDeletesOnlyAfterItClosed(String protocol) throws Exception {
        Map<String, String> outbox = writeOutbox();
        SeedServer first = SeedServer.start(SeedProtocol.of(protocol), identity(protocol, pki), received(), 0,
                Behaviour.HOLD_AT_CLOSE);

        try (first; ClientAgent client = Clients.start(compatSettings(protocol, first.port()))) {
            await().atMost(SESSION).until(first::heldAtClose);
            await("nothing is deleted before their server closed").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                    .until(() -> Trees.digests(outbox()).equals(outbox));
            first.releaseClose();

            assertThat(deliveredThrough(first, protocol, outbox.size())).isEqualTo(lastSegments(outbox));
            await().atMost(SESSION).untilAsserted(() -> assertThat(Trees.digests(outbox())).isEmpty());
        }
    }

    @ParameterizedTest
    @CsvSource({"plain, DROP_AFTER_FIRST_DATA", "ap, DROP_AFTER_FIRST_DATA", "cp1, DROP_AFTER_FIRST_DATA",
        "cp2, DROP_AFTER_FIRST_DATA", "plain, RESET_AFTER_FIRST_DATA", "ap, RESET_AFTER_FIRST_DATA",
        "cp1, RESET_AFTER_FIRST_DATA", "cp2, RESET_AFTER_FIRST_DATA"})
    void ourCompatClientKeepsFilesWhenTheirServerBreaksOffAndDeliversThemToTheNextOne(String protocol,
            Behaviour breakOff) throws Exception {
        Map<String, String> outbox = writeOutbox();
        SeedServer broken = SeedServer.start(SeedProtocol.of(protocol), identity(protocol, pki), received(), 0, breakOff);

        try (broken; ClientAgent client = Clients.start(compatSettings(protocol, broken.port()))) {
            assertThat(broken.awaitTermination(SESSION)).isTrue();
            assertThat(broken.ending()).as("failure: %s", broken.failure()).isEqualTo(Ending.FAULT_INJECTED);
            assertThat(Trees.digests(received())).isEmpty();

            SeedServer next = SeedServer.start(SeedProtocol.of(protocol), identity(protocol, pki), received(),
                    broken.port(), Behaviour.NORMAL);

            assertThat(deliveredThrough(next, protocol, outbox.size())).isEqualTo(lastSegments(outbox));
            await().atMost(SESSION).untilAsserted(() -> assertThat(Trees.digests(outbox())).isEmpty());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ap", "cp1", "cp2"})
    void ourCompatClientRefusesTheirServerCertifiedByAnotherCaAndKeepsTheFiles(String protocol) throws Exception {
        Map<String, String> outbox = writeOutbox();
        Logger senderLog = (Logger) LoggerFactory.getLogger("dev.ferry.client.Sender");
        ListAppender<ILoggingEvent> warnings = new ListAppender<>();
        warnings.start();
        senderLog.addAppender(warnings);
        SeedServer impostor = SeedServer.start(SeedProtocol.of(protocol), identity(protocol, otherCa), received(), 0,
                Behaviour.NORMAL);

        try (impostor; ClientAgent client = Clients.start(compatSettings(protocol, impostor.port()))) {
            assertThat(impostor.awaitTermination(SESSION)).isTrue();
            assertThat(impostor.ending()).as("our client hangs up after the AUTH answer").isEqualTo(Ending.BROKEN);
            assertThat(impostor.stored()).isEmpty();
            await().atMost(SESSION).untilAsserted(() -> assertThat(List.copyOf(warnings.list))
                    .map(ILoggingEvent::getFormattedMessage)
                    .anyMatch(line -> line.contains("seed session failed") && line.contains("server certificate refused")));
            assertThat(Trees.digests(outbox())).isEqualTo(outbox);
            assertThat(outbox().resolve(".failed")).doesNotExist();

            SeedServer genuine = SeedServer.start(SeedProtocol.of(protocol), identity(protocol, pki), received(),
                    impostor.port(), Behaviour.NORMAL);

            assertThat(deliveredThrough(genuine, protocol, outbox.size())).isEqualTo(lastSegments(outbox));
        } finally {
            senderLog.detachAppender(warnings);
        }
    }

    /**
     * Waits for the session of {@code server}, then serves more sessions on its port with new
     * stand-ins (an original server exits after one session and is started again by hand) until
     * {@code count} files arrived, since our client may split the ready files over sessions.
     * Every session must end with CLOSE and store at least one file.
     */
    private Map<String, String> deliveredThrough(SeedServer server, String protocol, int count) throws Exception {
        int port = server.port();
        SeedServer next = server;
        for (int session = 1; ; session++) {
            try (SeedServer current = next) {
                assertThat(current.awaitTermination(SESSION))
                        .as("session %d on port %d ended (it never starts if our client lost the files)", session, port)
                        .isTrue();
                assertThat(current.ending()).as("session %d, failure: %s", session, current.failure())
                        .isEqualTo(Ending.CLOSE);
                assertThat(current.stored()).as("files of session %d", session).isNotEmpty();
            }
            Map<String, String> received = Trees.digests(received());
            if (received.size() >= count || session >= count) {
                return received;
            }
            next = SeedServer.start(SeedProtocol.of(protocol), identity(protocol, pki), received(), port,
                    Behaviour.NORMAL);
        }
    }

    /** Three files in the outbox, one in a sub-folder and one empty; returns relative name to SHA-256. */
    private Map<String, String> writeOutbox() throws Exception {
        return Map.of("sub/one.txt", Trees.write(outbox().resolve("sub/one.txt"), 3000, 1),
                "two.bin", Trees.write(outbox().resolve("two.bin"), 20_000, 2),
                "empty.txt", Trees.write(outbox().resolve("empty.txt"), 0, 3));
    }

    private static Map<String, String> lastSegments(Map<String, String> files) {
        return files.entrySet().stream().collect(Collectors.toMap(
                e -> e.getKey().substring(e.getKey().lastIndexOf('/') + 1), Map.Entry::getValue));
    }

    private static SeedServer.Identity identity(String protocol, TestPki certificates) throws Exception {
        return protocol.equals("plain") ? null
                : SeedServer.Identity.load(certificates.folder().serverCert(), certificates.folder().serverKey());
    }

    private FerrySettings serverSettings(String protocol, TestPki certificates) {
        return TestSettings.load(TestPki.join(certificates.settings(protocol), new String[] {
            "ferry.server.host", "127.0.0.1", "ferry.server.port", "0",
            "ferry.server.inbox", dir.resolve("inbox").toString()}));
    }

    private FerrySettings compatSettings(String protocol, int port) {
        return TestSettings.load(TestPki.join(pki.settings(protocol), new String[] {
            "ferry.client.server-port", Integer.toString(port),
            "ferry.client.outbox", outbox().toString(),
            "ferry.client.settle-time", "200ms",
            "ferry.client.retry.initial", "100ms",
            "ferry.client.retry.max", "500ms",
            "ferry.client.compat", "true"}));
    }

    private Path outbox() {
        return dir.resolve("outbox");
    }

    private Path received() {
        return dir.resolve("received");
    }

    private static byte[] content(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(Trees.sha256().digest(bytes));
    }
}

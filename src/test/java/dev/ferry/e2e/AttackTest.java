package dev.ferry.e2e;

import ch.qos.logback.classic.Level;
import dev.ferry.client.ClientAgent;
import dev.ferry.config.FerrySettings;
import dev.ferry.config.SettingsException;
import dev.ferry.config.SettingsLoader;
import dev.ferry.pki.CertificateAuthority;
import dev.ferry.pki.Pem;
import dev.ferry.server.ServerAgent;
import dev.ferry.testing.Clients;
import dev.ferry.testing.LogLines;
import dev.ferry.testing.RawClient;
import dev.ferry.testing.RawFrames;
import dev.ferry.testing.Rewrites;
import dev.ferry.testing.Running;
import dev.ferry.testing.Servers;
import dev.ferry.testing.TestPki;
import dev.ferry.testing.TestProxy.Direction;
import dev.ferry.testing.TestProxy;
import dev.ferry.testing.Trees;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Attacks on a running server and client over loopback (PROTOCOL.md sections 3.2-3.5): refused
 * certificates, a man in the middle ({@link TestProxy}) that flips bits, rewrites HELLO or forges an
 * acknowledgement, a replayed session, and client certificates. After each: nothing from the
 * attacked session is stored, a log line says why, and the server still serves a good client.
 */
class AttackTest {
    private static final int FILE_BYTES = 20 * 1024;
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    static Path certs;

    private static TestPki pki;

    @TempDir
    Path dir;

    @RegisterExtension
    final Running running = new Running();
    private LogLines logs;
    private int configs;
    private int goodClients;

    @BeforeAll
    static void mintCertificates() {
        pki = TestPki.create(certs);
    }

    @BeforeEach
    void captureLogs() {
        logs = running.add(LogLines.capture());
    }

    @ParameterizedTest(name = "CA named {0}")
    @ValueSource(strings = {"Ferry CA", "Some Other CA"})
    void clientTrustingAnotherCaRefusesTheServerAndKeepsItsFile(String caName) throws Exception {
        CertificateAuthority other = CertificateAuthority.create(caName, 2048, Duration.ofDays(1));
        Path otherCa = dir.resolve("other-ca.crt");
        Pem.writeCertificates(otherCa, List.of(other.certificate()), false);
        ServerAgent server = server("cp2", "");
        String sha = Trees.write(outbox().resolve("kept.bin"), FILE_BYTES, 1);

        client("cp2", outbox(), server.port(), "ferry.security.ca-cert", otherCa.toString());

        awaitClientWarning("server certificate refused", "ferry.security.ca-cert");
        assertNothingStoredAndKept("kept.bin", sha);
        goodClientDelivers("cp2", server.port());
    }

    @Test
    void expiredServerCertificateIsRefusedWithItsExpiryDate() throws Exception {
        CertificateAuthority ca = CertificateAuthority.load(pki.folder().caCert(), pki.folder().caKey());
        KeyPair keys = CertificateAuthority.rsaKeyPair(2048);
        Instant now = Instant.now();
        X509Certificate expired = ca.issue(keys.getPublic(), "localhost", List.of("localhost", "127.0.0.1"),
                now.minus(Duration.ofMinutes(30)), now.minus(Duration.ofMinutes(1)), true, null);
        Path cert = dir.resolve("expired.crt");
        Path key = dir.resolve("expired.key");
        Pem.writeCertificates(cert, List.of(expired), false);
        Pem.writePrivateKey(key, keys.getPrivate(), false);
        ServerAgent server = server("cp2", "", "ferry.security.server-cert", cert.toString(),
                "ferry.security.server-key", key.toString());
        String sha = Trees.write(outbox().resolve("kept.bin"), FILE_BYTES, 2);

        client("cp2", outbox(), server.port());

        awaitClientWarning("server certificate refused", "expired on");
        assertNothingStoredAndKept("kept.bin", sha);
    }

    @Test
    void serverNameNotInTheCertificateIsRefused() throws Exception {
        ServerAgent server = server("cp2", "");
        String sha = Trees.write(outbox().resolve("kept.bin"), FILE_BYTES, 3);

        client("cp2", outbox(), server.port(), "ferry.security.expected-server-name", "example.org");

        awaitClientWarning("server name 'example.org' is not in the certificate's names",
                "ferry.security.expected-server-name");
        assertNothingStoredAndKept("kept.bin", sha);
        goodClientDelivers("cp2", server.port());
    }

    @Test
    void alteredServerSignatureIsRefusedByTheClient() throws Exception {
        ServerAgent server = server("cp2", "");
        TestProxy proxy = proxy(server.port(), Direction.SERVER_TO_CLIENT, Rewrites.flipBitInServerSignature());
        String sha = Trees.write(outbox().resolve("signed.bin"), FILE_BYTES, 4);

        client("cp2", outbox(), proxy.port());

        awaitClientWarning("AUTH signature does not verify");
        assertNothingStoredAndKept("signed.bin", sha);
        proxy.tampering(false);
        awaitDelivered(Map.of("signed.bin", sha));
    }

    @ParameterizedTest(name = "bit flipped in {0}")
    @CsvSource({"DATA, 1", "COMMIT, 6"})
    void alteredSealedFrameAbortsTheSessionAndStoresNothing(String frame, long mode) throws Exception {
        ServerAgent server = server("cp2", "");
        TestProxy proxy = proxy(server.port(), Direction.CLIENT_TO_SERVER, Rewrites.flipBitInClientFrame(mode));
        String sha = Trees.write(outbox().resolve("sealed.bin"), FILE_BYTES, 5);

        client("cp2", outbox(), proxy.port());

        await().atMost(PATIENCE).until(() -> proxy.tampered().size() >= 2
                && proxy.tampered().stream().allMatch(TestProxy.Connection::finished));
        assertThat(logs.server(Level.WARN)).anySatisfy(line -> assertThat(line).contains(
                "connection closed", "(aad " + mode + ") does not open"));
        assertNothingStoredAndKept("sealed.bin", sha);
        proxy.tampering(false);
        awaitDelivered(Map.of("sealed.bin", sha));
        assertThat(logs.server(Level.INFO)).filteredOn(line -> line.startsWith("stored file=sealed.bin")).hasSize(1);
        assertThat(temporaryFiles()).as("partial data of the aborted sessions").isEmpty();
    }

    /** What a man in the middle does to a file's DATA frames (8 KiB blocks, the first two full). */
    enum DataTampering {
        TWO_SWAPPED(0, 2),
        ONE_DROPPED(0, 1),
        ONE_TRUNCATED(0, 1),
        ONE_FROM_ANOTHER_SESSION_SPLICED_IN(0, 1),
        ONE_REPLAYED_IN_THE_SAME_SESSION(0, 1);

        final int first;
        final int count;

        DataTampering(int first, int count) {
            this.first = first;
            this.count = count;
        }

        /** The frames in place of {@code frames}; {@code donor} is a DATA frame of another session, same length. */
        List<byte[]> edit(List<byte[]> frames, byte[] donor) {
            return switch (this) {
                case TWO_SWAPPED -> List.of(frames.get(1), frames.get(0));
                case ONE_DROPPED -> List.of();
                // Consistent framing: M1 says 1,000 bytes less and 1,000 bytes less follow.
                case ONE_TRUNCATED -> {
                    byte[] payload = Rewrites.payloadOf(frames.get(0));
                    yield List.of(Rewrites.frame(Rewrites.DATA, Arrays.copyOf(payload, payload.length - 1000)));
                }
                case ONE_FROM_ANOTHER_SESSION_SPLICED_IN -> List.of(donor);
                case ONE_REPLAYED_IN_THE_SAME_SESSION -> List.of(frames.get(0), frames.get(0));
            };
        }
    }

    @ParameterizedTest(name = "DATA frames: {0}")
    @EnumSource(DataTampering.class)
    void tamperedDataFramesAbortTheSessionAndTheFileArrivesIntactLater(DataTampering tampering) throws Exception {
        ServerAgent server = server("cp2", "");
        AtomicReference<byte[]> donor = new AtomicReference<>();
        TestProxy proxy = proxy(server.port(), Direction.CLIENT_TO_SERVER, Rewrites.editDataFrames(tampering.first,
                tampering.count, frames -> tampering.edit(frames, donor.get()))).tampering(false);
        // A session of another file, recorded untouched, gives the DATA frame to splice in.
        Path donorOutbox = dir.resolve("donor-outbox");
        String donorSha = Trees.write(donorOutbox.resolve("donor.bin"), FILE_BYTES, 13);
        ClientAgent donorClient = client("cp2", donorOutbox, proxy.port());
        await().atMost(PATIENCE).until(() -> Trees.digests(donorOutbox).isEmpty());
        running.remove(donorClient);
        donorClient.close();
        donor.set(Rewrites.dataFrames(proxy.connections().get(0).sent(Direction.CLIENT_TO_SERVER)).get(0));
        Map<String, String> donated = Map.of("donor.bin", donorSha);
        assertThat(Trees.digests(inbox())).isEqualTo(donated);
        proxy.tampering(true);
        String sha = Trees.write(outbox().resolve("sealed.bin"), FILE_BYTES, 14);

        client("cp2", outbox(), proxy.port());

        await().atMost(PATIENCE).until(() -> proxy.tampered().size() >= 2
                && proxy.tampered().stream().allMatch(TestProxy.Connection::finished));
        assertThat(logs.server(Level.WARN)).filteredOn(line -> line.contains("connection closed"))
                .anySatisfy(line -> assertThat(line).contains("(aad 1) does not open"));
        assertThat(Trees.digests(inbox())).isEqualTo(donated);
        assertThat(Trees.digests(outbox())).isEqualTo(Map.of("sealed.bin", sha));
        assertThat(temporaryFiles()).as("data of the aborted sessions").isEmpty();
        proxy.tampering(false);
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(Trees.digests(inbox())).isEqualTo(Map.of("donor.bin", donorSha, "sealed.bin", sha));
            assertThat(Trees.digests(outbox())).isEmpty();
        });
        assertThat(logs.server(Level.INFO)).filteredOn(line -> line.startsWith("stored file=sealed.bin")).hasSize(1);
        assertThat(temporaryFiles()).isEmpty();
    }

    @Test
    void replayedCp2SessionStoresNothingNew() throws Exception {
        ServerAgent server = server("cp2", "");
        TestProxy proxy = proxy(server.port(), Direction.CLIENT_TO_SERVER, null);
        String sha = Trees.write(outbox().resolve("once.bin"), FILE_BYTES, 6);
        client("cp2", outbox(), proxy.port());
        awaitDelivered(Map.of("once.bin", sha));
        byte[] recorded = proxy.connections().get(0).sent(Direction.CLIENT_TO_SERVER);
        assertThat(Rewrites.clientFrames(recorded)).extracting(Rewrites.Piece::kind).contains(Rewrites.COMMIT);

        try (RawClient replay = new RawClient(server.port())) {
            replay.send(new RawFrames().raw(recorded));

            assertThat(replay.closedByServer()).isTrue();
        }

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(logs.server(Level.WARN)).anySatisfy(line ->
                assertThat(line).contains("connection closed", "does not open")));
        assertThat(Trees.digests(inbox())).isEqualTo(Map.of("once.bin", sha));
        assertThat(temporaryFiles()).isEmpty();
        goodClientDelivers("cp2", server.port());
    }

    @Test
    void helloDowngradedToPlainIsRefusedByACp2OnlyServer() throws Exception {
        ServerAgent server = server("cp2", "");
        TestProxy proxy = proxy(server.port(), Direction.CLIENT_TO_SERVER, downgradeHelloToPlain());
        String sha = Trees.write(outbox().resolve("strong.bin"), FILE_BYTES, 7);

        client("cp2", outbox(), proxy.port());

        awaitClientWarning("server refused the session", "protocol plain is not accepted here; accepted: cp2");
        assertThat(logs.server(Level.WARN)).anySatisfy(line -> assertThat(line).contains(
                "protocol plain is not accepted here"));
        assertNothingStoredAndKept("strong.bin", sha);
        proxy.tampering(false);
        awaitDelivered(Map.of("strong.bin", sha));
    }

    @Test
    void helloDowngradedToPlainIsRefusedByTheClientWhenTheServerAcceptsPlain() throws Exception {
        ServerAgent server = server("cp2", "ferry.server.accept = [cp2, plain]\n");
        TestProxy proxy = proxy(server.port(), Direction.CLIENT_TO_SERVER, downgradeHelloToPlain());
        String sha = Trees.write(outbox().resolve("strong.bin"), FILE_BYTES, 8);

        client("cp2", outbox(), proxy.port());

        awaitClientWarning("HELLO answer says ferry=1 protocol=plain, expected ferry=1 protocol=cp2");
        await().atMost(PATIENCE).until(() -> !proxy.tampered().isEmpty()
                && proxy.tampered().stream().allMatch(TestProxy.Connection::finished));
        for (TestProxy.Connection connection : proxy.tampered()) {
            assertThat(Rewrites.clientFrames(connection.sent(Direction.CLIENT_TO_SERVER)))
                    .as("frames the client sent on %s", connection)
                    .extracting(Rewrites.Piece::kind).isSubsetOf(Rewrites.HELLO, Rewrites.CLOSE);
        }
        assertNothingStoredAndKept("strong.bin", sha);
        proxy.tampering(false);
        awaitDelivered(Map.of("strong.bin", sha));
        assertThat(logs.server(Level.INFO)).anySatisfy(line -> assertThat(line).contains(
                "stored file=strong.bin", "protocol=cp2"));
    }

    @Test
    void serverRequiringClientCertificatesRefusesAClientWithoutOne() throws Exception {
        ServerAgent server = server("cp2", "", "ferry.server.require-client-certificate", "true");
        String sha = Trees.write(outbox().resolve("anonymous.bin"), FILE_BYTES, 9);

        client("cp2", outbox(), server.port());

        awaitClientWarning("the server requires a client certificate", "ferry.security.client-cert");
        assertNothingStoredAndKept("anonymous.bin", sha);
        goodClientDelivers("cp2", server.port(), pki.aliceSettings());
    }

    @Test
    void clientCertificateNamesTheClientInTheServerLog() throws Exception {
        ServerAgent server = server("cp2", "", "ferry.server.require-client-certificate", "true");
        String sha = Trees.write(outbox().resolve("from-alice.bin"), FILE_BYTES, 10);

        client("cp2", outbox(), server.port(), pki.aliceSettings());

        awaitDelivered(Map.of("from-alice.bin", sha));
        assertThat(logs.server(Level.INFO)).anySatisfy(line -> assertThat(line).contains(
                "stored file=from-alice.bin", "client=alice"));
    }

    @Test
    void clientNotInAllowedClientsIsRefused() throws Exception {
        pki.folder().issueClient("bob", 2048, Duration.ofDays(1), true);
        ServerAgent server = server("cp2", "ferry.server.allowed-clients = [bob]\n",
                "ferry.server.require-client-certificate", "true");
        String sha = Trees.write(outbox().resolve("from-alice.bin"), FILE_BYTES, 11);

        client("cp2", outbox(), server.port(), pki.aliceSettings());

        awaitClientWarning("the server refused this client's certificate", "ferry.server.allowed-clients [bob]");
        assertThat(logs.server(Level.WARN)).anySatisfy(line -> assertThat(line).contains(
                "client certificate refused", "CN=alice", "ferry.server.allowed-clients"));
        assertNothingStoredAndKept("from-alice.bin", sha);
        goodClientDelivers("cp2", server.port(), "ferry.security.client-cert",
                pki.folder().clientCert("bob").toString(), "ferry.security.client-key",
                pki.folder().clientKey("bob").toString());
    }

    @Test
    void seedSessionIsRefusedWhenClientCertificatesAreRequired() throws Exception {
        ServerAgent server = server("ap", "", "ferry.server.require-client-certificate", "true");
        byte[] nonce = "0123456789abcdefseed client".getBytes(StandardCharsets.US_ASCII);

        try (RawClient seed = new RawClient(server.port())) {
            seed.send(new RawFrames().frame(3, nonce).frame(0, "seed.txt").frame(1, "no certificate").u64(2));

            assertThat(seed.closedByServer()).isTrue();
        }

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(logs.server(Level.WARN)).anySatisfy(line ->
                assertThat(line).contains("connection closed", "ferry.server.require-client-certificate")));
        assertThat(Trees.digests(inbox())).isEmpty();
        goodClientDelivers("ap", server.port(), pki.aliceSettings());
    }

    @Test
    void serverRequiringClientCertificatesDoesNotStartWithPlainAccepted() {
        assertThatThrownBy(() -> server("cp2", "ferry.server.accept = [cp2, plain]\n",
                "ferry.server.require-client-certificate", "true"))
                .hasMessageContaining("protocol plain cannot check client certificates")
                .hasMessageContaining("ferry.server.require-client-certificate = true");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ap", "cp2"})
    void forgedAcknowledgementKeepsTheFileInTheOutbox(String protocol) throws Exception {
        ServerAgent server = server(protocol, "");
        TestProxy proxy = proxy(server.port(), Direction.SERVER_TO_CLIENT, Rewrites.flipBitInFirstFileReply());
        String sha = Trees.write(outbox().resolve("acked.bin"), FILE_BYTES, 12);

        client(protocol, outbox(), proxy.port());

        await().atMost(PATIENCE).until(() -> !proxy.tampered().isEmpty()
                && proxy.tampered().get(0).finished());
        awaitClientWarning("connection dropped", protocol.equals("ap") ? "REPLY signature does not verify"
                : "does not open", "files waiting for a reply stay in the outbox");
        assertThat(logs.server(Level.INFO)).anySatisfy(line -> assertThat(line).startsWith("stored file=acked"));
        assertThat(logs.client(Level.INFO)).noneSatisfy(line -> assertThat(line).startsWith("delivered"));
        assertThat(Trees.digests(outbox())).isEqualTo(Map.of("acked.bin", sha));
        proxy.tampering(false);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(Trees.digests(outbox())).isEmpty());
        // Copies from the sessions whose acknowledgement was forged are expected until the receipt
        // ledger suppresses duplicates; every copy is the whole, right file.
        assertThat(Trees.digests(inbox())).containsEntry("acked.bin", sha).allSatisfy((name, digest) ->
                assertThat(digest).isEqualTo(sha));
        assertThat(logs.client(Level.INFO)).filteredOn(line -> line.startsWith("delivered file=acked.bin"))
                .hasSize(1);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private Path inbox() {
        return dir.resolve("inbox");
    }

    private Path outbox() {
        return dir.resolve("outbox");
    }

    private List<Path> temporaryFiles() throws IOException {
        Path work = inbox().resolve(".ferry/tmp");
        try (Stream<Path> files = Files.list(work)) {
            return files.toList();
        }
    }

    /** Real settings from reference.conf, a configuration file holding {@code conf} (for lists), and -D style pairs. */
    private FerrySettings settings(String conf, String... overrides) throws IOException {
        Path file = dir.resolve("ferry-" + ++configs + ".conf");
        Files.writeString(file, conf);
        Properties properties = new Properties();
        for (int i = 0; i < overrides.length; i += 2) {
            properties.setProperty(overrides[i], overrides[i + 1]);
        }
        try {
            return new SettingsLoader(Map.of(), properties, () -> "attack-test").load(file, true);
        } catch (SettingsException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private ServerAgent server(String protocol, String conf, String... overrides) throws IOException {
        ServerAgent server = Servers.start(settings(conf, TestPki.join(pki.settings(protocol), new String[] {
            "ferry.server.host", "127.0.0.1", "ferry.server.port", "0",
            "ferry.server.inbox", inbox().toString()}, overrides)));
        running.add(server);
        return server;
    }

    private ClientAgent client(String protocol, Path outbox, int port, String... overrides) throws IOException {
        ClientAgent client = Clients.start(settings("", TestPki.join(pki.settings(protocol), new String[] {
            "ferry.client.name", "attack-test",
            "ferry.client.server-port", Integer.toString(port),
            "ferry.client.outbox", outbox.toString(),
            "ferry.client.settle-time", "100ms",
            "ferry.client.block-size", "8 KiB",
            "ferry.client.retry.initial", "50ms",
            "ferry.client.retry.max", "300ms"}, overrides)));
        running.add(client);
        return client;
    }

    /** A proxy to {@code port} that applies {@code rewrite} to one direction, tampering from the start. */
    private TestProxy proxy(int port, Direction direction, TestProxy.Rewrite rewrite) throws IOException {
        TestProxy proxy = TestProxy.start(port).rewrite(direction, rewrite).tampering(rewrite != null);
        running.add(proxy);
        return proxy;
    }

    private static TestProxy.Rewrite downgradeHelloToPlain() {
        return Rewrites.rewriteFirstClientFrame(hello -> new String(hello, StandardCharsets.UTF_8)
                .replace("protocol=cp2\n", "protocol=plain\n").getBytes(StandardCharsets.UTF_8));
    }

    private void awaitClientWarning(String... fragments) {
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(logs.client(Level.WARN)).anySatisfy(line ->
                assertThat(line).contains(fragments)));
    }

    private void awaitDelivered(Map<String, String> expected) {
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(Trees.digests(inbox())).isEqualTo(expected);
            assertThat(Trees.digests(outbox())).isEmpty();
        });
    }

    /** The attacked file was not stored (nor anything else) and is still in the outbox as it was. */
    private void assertNothingStoredAndKept(String name, String sha) {
        assertThat(Trees.digests(inbox())).isEmpty();
        assertThat(Trees.digests(outbox())).isEqualTo(Map.of(name, sha));
    }

    /** The server still serves: a well-configured client with an outbox of its own delivers a file. */
    private void goodClientDelivers(String protocol, int port, String... overrides) throws Exception {
        int n = ++goodClients;
        Path outbox = dir.resolve("good-outbox-" + n);
        String name = "good-" + n + ".bin";
        String sha = Trees.write(outbox.resolve(name), FILE_BYTES, 1000 + n);
        ClientAgent good = client(protocol, outbox, port, overrides);

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(Trees.digests(inbox())).containsEntry(name, sha);
            assertThat(Trees.digests(outbox)).isEmpty();
        });
        running.remove(good);
        good.close();
    }
}

package dev.ferry.e2e;

import dev.ferry.client.ClientAgent;
import dev.ferry.config.FerrySettings;
import dev.ferry.metrics.Metrics;
import dev.ferry.metrics.Samples;
import dev.ferry.server.ServerAgent;
import dev.ferry.testing.Clients;
import dev.ferry.testing.Http;
import dev.ferry.testing.JsonLines;
import dev.ferry.testing.Ports;
import dev.ferry.testing.RawClient;
import dev.ferry.testing.RawFrames;
import dev.ferry.testing.Running;
import dev.ferry.testing.Servers;
import dev.ferry.testing.TestPki;
import dev.ferry.testing.TestSettings;
import dev.ferry.testing.Trees;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Both agents on loopback with metrics on: what /metrics, /health and the audit log say about real transfers. */
class MonitoringTest {
    @TempDir
    static Path certs;

    private static TestPki pki;

    @TempDir
    Path dir;

    @RegisterExtension
    final Running running = new Running();

    @BeforeAll
    static void mintCertificates() {
        pki = TestPki.create(certs);
    }

    private FerrySettings settings(String... more) {
        return TestSettings.monitored(dir, more);
    }


    private static Samples scrape(Metrics metrics) {
        Http.Response response = Http.get(metrics.port(), "/metrics");
        assertThat(response.status()).isEqualTo(200);
        return Samples.parse(response.body());
    }

    private static Predicate<Map<String, String>> label(String key, String value) {
        return labels -> value.equals(labels.get(key));
    }

    private void awaitDelivered(Map<String, String> expected) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            assertThat(Trees.digests(dir.resolve("inbox"))).isEqualTo(expected);
            assertThat(Trees.digests(dir.resolve("outbox"))).isEmpty();
        });
    }

    @Test
    void countsDeliveredFilesAndBytesUnderTheProtocolAndAuditsThemWithTheClientsName() throws Exception {
        FerrySettings base = settings(TestPki.join(pki.settings("cp2"), pki.aliceSettings(),
                new String[] {"ferry.server.require-client-certificate", "true"}));
        Metrics metrics = running.add(Metrics.start(base.metrics()));
        ServerAgent server = running.add(Servers.start(base, metrics.server()));
        // One connection, so the connection gauges below have one right value (two files could use two).
        FerrySettings settings = settings(TestPki.join(pki.settings("cp2"), pki.aliceSettings(),
                new String[] {"ferry.client.server-port", Integer.toString(server.port()),
                    "ferry.client.connections", "1"}));
        running.add(Clients.start(settings, metrics.client("cp2")));
        String small = Trees.write(dir.resolve("outbox/small.txt"), 1000, 1);
        String big = Trees.write(dir.resolve("outbox/sub/big.bin"), 300_000, 2);

        awaitDelivered(Map.of("small.txt", small, "sub/big.bin", big));

        Samples samples = scrape(metrics);
        Predicate<Map<String, String>> cp2 = label("protocol", "cp2");
        assertThat(samples.sum("ferry_server_files_stored_total", cp2)).isEqualTo(2.0);
        assertThat(samples.sum("ferry_server_stored_bytes_total", cp2)).isEqualTo(301_000.0);
        assertThat(samples.sum("ferry_server_transfer_seconds_count", cp2)).isEqualTo(2.0);
        assertThat(samples.sum("ferry_server_transfer_seconds_bucket", cp2.and(label("le", "+Inf")))).isEqualTo(2.0);
        assertThat(samples.sum("ferry_server_files_refused_total")).isZero();
        assertThat(samples.sum("ferry_server_last_stored_timestamp_seconds")).isGreaterThan(1.7e9);
        assertThat(samples.sum("ferry_client_files_delivered_total", cp2)).isEqualTo(2.0);
        assertThat(samples.sum("ferry_client_delivered_bytes_total", cp2)).isEqualTo(301_000.0);
        assertThat(samples.sum("ferry_client_sent_bytes_total", cp2)).isEqualTo(301_000.0);
        assertThat(samples.sum("ferry_client_transfer_seconds_count", cp2)).isEqualTo(2.0);
        assertThat(samples.sum("ferry_client_files_failed_total")).isZero();
        assertThat(samples.sum("ferry_client_connections")).isEqualTo(1.0);
        assertThat(samples.sum("ferry_server_connections")).isEqualTo(1.0);
        assertThat(samples.sum("ferry_agent_up", label("role", "server"))).isEqualTo(1.0);
        assertThat(samples.sum("ferry_agent_up", label("role", "client"))).isEqualTo(1.0);
        assertThat(samples.all()).noneMatch(sample -> sample.labels().containsKey("protocol")
                && !sample.labels().get("protocol").equals("cp2"));
        assertThat(Http.get(metrics.port(), "/health").body()).isEqualTo("{\"status\":\"ok\"}");
        // The watcher counts the outbox once per tick, so the queue gauge follows a delivery within one.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(scrape(metrics).sum("ferry_client_files_queued")).isZero();
            assertThat(scrape(metrics).sum("ferry_client_files_in_flight")).isZero();
        });

        List<Map<String, Object>> audit = JsonLines.read(dir.resolve("inbox/.ferry/audit.log"));
        assertThat(audit).hasSize(2).allSatisfy(line -> assertThat(line).containsEntry("outcome", "stored")
                .containsEntry("protocol", "cp2").containsEntry("client", "alice").containsEntry("seed", false)
                .containsEntry("status", null));
        assertThat(audit).anySatisfy(line -> assertThat(line).containsEntry("name", "sub/big.bin")
                .containsEntry("stored_as", "sub/big.bin").containsEntry("size", 300_000L)
                .containsEntry("sha256", big));
        assertThat(audit).allSatisfy(line -> assertThat((String) line.get("peer")).startsWith("/127.0.0.1:"));
        try (var inbox = Files.list(dir.resolve("inbox"))) {
            assertThat(inbox.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("small.txt", "sub",
                    ".ferry");
        }
    }

    @Test
    void countsRefusalsAndFailedHandshakesByReasonAndAuditsTheRefusal() throws Exception {
        FerrySettings base = settings("ferry.server.on-conflict", "reject", "ferry.server.handshake-timeout", "200ms");
        Files.createDirectories(dir.resolve("inbox"));
        Files.writeString(dir.resolve("inbox/taken.txt"), "already here");
        Metrics metrics = running.add(Metrics.start(base.metrics()));
        ServerAgent server = running.add(Servers.start(base, metrics.server()));
        running.add(Clients.start(settings("ferry.client.server-port", Integer.toString(server.port())),
                metrics.client("plain")));
        try (RawClient raw = new RawClient(server.port())) {
            raw.send(new RawFrames().frame(5, "ferry=1\nprotocol=cp2\nclient=x\n"));
            assertThat(raw.readReply().status()).isEqualTo(1);
        }
        try (RawClient silent = new RawClient(server.port())) {
            assertThat(silent.closedByServer()).isTrue();
        }
        new RawClient(server.port()).close();
        Trees.write(dir.resolve("outbox/taken.txt"), 100, 3);

        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dir.resolve("outbox/.failed/taken.txt")));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Samples samples = scrape(metrics);
            assertThat(samples.sum("ferry_server_handshake_failures_total", label("reason", "refused")))
                    .isEqualTo(1.0);
            assertThat(samples.sum("ferry_server_handshake_failures_total", label("reason", "timeout")))
                    .isEqualTo(1.0);
            assertThat(samples.sum("ferry_server_handshake_failures_total", label("reason", "closed")))
                    .isEqualTo(1.0);
            assertThat(samples.sum("ferry_server_handshake_failures_total")).isEqualTo(3.0);
            assertThat(samples.sum("ferry_server_files_refused_total",
                    label("protocol", "plain").and(label("status", "bad_request")))).isEqualTo(1.0);
            assertThat(samples.sum("ferry_client_files_failed_total", label("reason", "bad_request")))
                    .isEqualTo(1.0);
            assertThat(samples.sum("ferry_server_files_stored_total")).isZero();
        });
        assertThat(JsonLines.read(dir.resolve("inbox/.ferry/audit.log"))).singleElement().satisfies(line ->
                assertThat(line).containsEntry("outcome", "refused").containsEntry("name", "taken.txt")
                        .containsEntry("status", "BAD_REQUEST").containsEntry("size", 100L)
                        .containsEntry("sha256", null).containsEntry("client", null));
    }

    @Test
    void auditsAFileOfASeedClient() throws Exception {
        FerrySettings settings = settings();
        Metrics metrics = running.add(Metrics.start(settings.metrics()));
        ServerAgent server = running.add(Servers.start(settings, metrics.server()));
        byte[] content = "from a seed client".getBytes(StandardCharsets.UTF_8);

        try (RawClient seed = new RawClient(server.port())) {
            seed.send(new RawFrames().frame(0, "C:\\typed\\path\\seed \"quoted\".txt").frame(1, content).u64(2));
            assertThat(seed.closedByServer()).isTrue();
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(dir.resolve("inbox/.ferry/audit.log"))
                && !Files.readString(dir.resolve("inbox/.ferry/audit.log")).isEmpty());
        assertThat(JsonLines.read(dir.resolve("inbox/.ferry/audit.log"))).singleElement().satisfies(line ->
                assertThat(line).containsEntry("outcome", "stored").containsEntry("seed", true)
                        .containsEntry("protocol", "plain")
                        .containsEntry("name", "C:\\typed\\path\\seed \"quoted\".txt")
                        .containsEntry("size", (long) content.length)
                        .containsEntry("sha256", Trees.sha256(dir.resolve("inbox/seed \"quoted\".txt"))));
        assertThat(scrape(metrics).sum("ferry_server_files_stored_total", label("protocol", "plain"))).isEqualTo(1.0);
    }

    @Test
    void healthIsDegradedWhileTheServerIsUnreachableLongerThanTheThresholdAndOkOnceItIsBack() throws Exception {
        int port = Ports.free();
        FerrySettings settings = settings("ferry.server.port", Integer.toString(port),
                "ferry.client.server-port", Integer.toString(port), "ferry.metrics.unreachable-after", "300ms");
        Metrics metrics = running.add(Metrics.start(settings.metrics()));
        ClientAgent client = running.add(Clients.start(settings, metrics.client("plain")));
        String sha = Trees.write(dir.resolve("outbox/waiting.txt"), 500, 4);

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> Http.get(metrics.port(), "/health").status() == 503);

        Map<String, Object> health = JsonLines.parse(Http.get(metrics.port(), "/health").body());
        assertThat(health).containsEntry("status", "degraded");
        assertThat((String) health.get("reason")).startsWith("server unreachable for ")
                .contains("ConnectException");
        Samples samples = scrape(metrics);
        assertThat(samples.sum("ferry_client_connect_failures_total", label("reason", "unreachable")))
                .isGreaterThanOrEqualTo(1.0);
        assertThat(samples.sum("ferry_client_unreachable_seconds")).isGreaterThanOrEqualTo(0.3);
        assertThat(samples.sum("ferry_client_files_queued") + samples.sum("ferry_client_files_in_flight"))
                .isEqualTo(1.0);
        assertThat(client.pending()).isEqualTo(1);

        running.add(Servers.start(settings));

        awaitDelivered(Map.of("waiting.txt", sha));
        await().atMost(Duration.ofSeconds(5)).until(() -> Http.get(metrics.port(), "/health").status() == 200);
        assertThat(scrape(metrics).sum("ferry_client_unreachable_seconds")).isZero();
    }
}

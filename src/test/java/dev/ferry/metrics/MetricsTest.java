package dev.ferry.metrics;

import dev.ferry.client.ClientEvents;
import dev.ferry.config.MetricsSettings;
import dev.ferry.server.ServerEvents;
import dev.ferry.testing.Http;
import dev.ferry.testing.JsonLines;
import dev.ferry.transfer.ReceivedFile;
import dev.ferry.wire.ReplyStatus;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetricsTest {
    private static final MetricsSettings ON = new MetricsSettings(true, "127.0.0.1", 0, Duration.ofMinutes(5));

    /** A clock a test moves by hand. */
    private static final class TestClock extends Clock {
        private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    @Test
    void offMeansNoPortAndNoOpEvents() throws Exception {
        try (Metrics metrics = Metrics.start(new MetricsSettings(false, "127.0.0.1", 0, Duration.ofMinutes(5)))) {
            assertThat(metrics.enabled()).isFalse();
            assertThat(metrics.port()).isEqualTo(-1);
            assertThat(metrics.server()).isSameAs(ServerEvents.NONE);
            assertThat(metrics.client("cp2")).isSameAs(ClientEvents.NONE);
            assertThat(metrics.health().ok()).isTrue();
        }
    }

    @Test
    void servesPrometheusTextAndHealthAndNothingElse() throws Exception {
        try (Metrics metrics = Metrics.start(ON)) {
            metrics.server().started(() -> 3, () -> 1);

            Http.Response scrape = Http.get(metrics.port(), "/metrics");
            Http.Response health = Http.get(metrics.port(), "/health");

            assertThat(scrape.status()).isEqualTo(200);
            assertThat(scrape.contentType()).startsWith("text/plain; version=0.0.4");
            assertThat(Samples.parse(scrape.body()).sum("ferry_server_connections")).isEqualTo(3.0);
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.contentType()).isEqualTo("application/json");
            assertThat(JsonLines.parse(health.body())).containsExactly(Map.entry("status", "ok"));
            assertThat(Http.get(metrics.port(), "/").status()).isEqualTo(404);
            assertThat(Http.get(metrics.port(), "/metrics/x").status()).isEqualTo(404);
            assertThat(Http.request(metrics.port(), "/metrics", "POST").status()).isEqualTo(405);
        }
    }

    @Test
    void portInUseFailsWithAMessageNamingTheKey() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            MetricsSettings settings = ON.withPort(taken.getLocalPort());

            assertThatThrownBy(() -> Metrics.start(settings))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("cannot serve metrics on 127.0.0.1:" + taken.getLocalPort(),
                            "ferry.metrics.port");
        }
    }

    @Test
    void clientIsDegradedOnlyOnceUnreachableForLongerThanTheThresholdAndOkWhenConnectedAgain() throws Exception {
        TestClock clock = new TestClock();
        try (Metrics metrics = Metrics.start(ON, clock)) {
            ClientEvents client = metrics.client("cp2");
            client.started(() -> 4, () -> 0, () -> 0);

            client.connectFailed(ClientEvents.ConnectFailure.UNREACHABLE, "java.net.ConnectException: refused");
            clock.advance(Duration.ofMinutes(4));
            client.connectFailed(ClientEvents.ConnectFailure.UNREACHABLE, "java.net.ConnectException: refused");
            Health early = metrics.health();
            clock.advance(Duration.ofMinutes(1).plusSeconds(3));
            Health late = metrics.health();
            client.connected();
            Health back = metrics.health();

            assertThat(early.ok()).isTrue();
            assertThat(late.ok()).isFalse();
            assertThat(late.reason())
                    .isEqualTo("server unreachable for 5m 3s (last error: java.net.ConnectException: refused)");
            assertThat(JsonLines.parse(new String(late.json(), StandardCharsets.UTF_8)))
                    .containsEntry("status", "degraded").containsEntry("reason", late.reason());
            assertThat(back.ok()).isTrue();
        }
    }

    @Test
    void aClientStartedAgainWithAnotherProtocolCountsUnderItAndKeepsTheOldTotals() throws Exception {
        try (Metrics metrics = Metrics.start(ON)) {
            ClientEvents plain = metrics.client("plain");
            plain.started(() -> 1, () -> 0, () -> 1);
            plain.delivered(100, 1_000_000);
            plain.stopped();

            ClientEvents cp2 = metrics.client("cp2");
            cp2.started(() -> 7, () -> 0, () -> 1);
            cp2.delivered(10, 1_000_000);
            cp2.delivered(10, 1_000_000);
            String afterSwitch = metrics.scrape();
            cp2.stopped();
            ClientEvents plainAgain = metrics.client("plain");
            plainAgain.started(() -> 3, () -> 0, () -> 1);
            String afterSwitchBack = metrics.scrape();

            assertThat(afterSwitch).contains("ferry_client_files_delivered_total{protocol=\"plain\"} 1.0")
                    .contains("ferry_client_files_delivered_total{protocol=\"cp2\"} 2.0")
                    .contains("ferry_client_files_queued{protocol=\"cp2\"} 7.0")
                    .contains("ferry_client_files_queued{protocol=\"plain\"} 0.0")
                    .contains("ferry_agent_up{role=\"client\"} 1.0");
            assertThat(afterSwitchBack).contains("ferry_client_files_queued{protocol=\"plain\"} 3.0")
                    .contains("ferry_client_files_queued{protocol=\"cp2\"} 0.0")
                    .contains("ferry_agent_up{role=\"client\"} 1.0");
        }
    }

    @Test
    void serverIsDegradedWhileTheInboxCannotBeWritten() throws Exception {
        try (Metrics metrics = Metrics.start(ON)) {
            ServerEvents server = metrics.server();
            server.started(() -> 0, () -> 0);

            server.finished(new ReceivedFile(ReceivedFile.Verdict.REFUSED, "secret-name.txt", null, 10, null,
                    "plain", null, false, 0, ReplyStatus.UNAVAILABLE, "cannot write to the inbox: disk full"));
            Health failing = metrics.health();
            server.finished(new ReceivedFile(ReceivedFile.Verdict.STORED, "b", "b", 10, "00", "plain", null, false, 0,
                    null, null));
            Health back = metrics.health();

            assertThat(failing.reason()).startsWith("server cannot write to the inbox since ")
                    .doesNotContain("secret-name");
            assertThat(back.ok()).isTrue();
            assertThat(Http.get(metrics.port(), "/health").status()).isEqualTo(200);
        }
    }

    @Test
    void degradedHealthIsServedAs503() throws Exception {
        try (Metrics metrics = Metrics.start(ON)) {
            metrics.server().started(() -> 0, () -> 0);
            metrics.server().acceptFailed("java.net.SocketException: closed");

            Http.Response health = Http.get(metrics.port(), "/health");

            assertThat(health.status()).isEqualTo(503);
            assertThat(JsonLines.parse(health.body())).containsEntry("status", "degraded")
                    .containsEntry("reason", "server not accepting connections: java.net.SocketException: closed");
        }
    }
}

package dev.ferry.cli;

import dev.ferry.config.FerrySettings;
import dev.ferry.metrics.Metrics;
import dev.ferry.server.ServerAgent;
import dev.ferry.testing.Clients;
import dev.ferry.testing.Ports;
import dev.ferry.testing.Running;
import dev.ferry.testing.Servers;
import dev.ferry.testing.TestSettings;
import dev.ferry.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class StatusCommandTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final Running running = new Running();

    private FerrySettings settings(String... more) {
        return TestSettings.monitored(dir, more);
    }

    /** The configuration ferry status reads: where the running agent's endpoint is. */
    private Path config(int metricsPort) throws IOException {
        Path conf = dir.resolve("status.conf");
        Files.writeString(conf, "ferry.metrics { enabled = true, port = " + metricsPort + " }\n");
        return conf;
    }


    @Test
    void summarisesARunningAgentWithBothRoles() throws Exception {
        FerrySettings settings = settings();
        Metrics metrics = running.add(Metrics.start(settings.metrics()));
        ServerAgent server = running.add(Servers.start(settings, metrics.server()));
        running.add(Clients.start(settings("ferry.client.server-port", Integer.toString(server.port())),
                metrics.client("plain")));
        Trees.write(dir.resolve("outbox/one.bin"), 2048, 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dir.resolve("inbox/one.bin"))
                && !Files.exists(dir.resolve("outbox/one.bin")));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> metrics.scrape().contains("ferry_client_files_queued{protocol=\"plain\"} 0.0"));

        CommandLineRun status = CommandLineRun.of("status", "--config", config(metrics.port()).toString());

        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains(
                "agent http://127.0.0.1:" + metrics.port() + "/: ok",
                "client (plain): 0 queued in the outbox, 0 in flight, connected",
                "delivered 1 file (2.0 KiB), 0 failed, 0 sent again, 0 failed connection attempts",
                "server: 1 connection open, 0 files being received",
                "stored 1 file (2.0 KiB), 0 duplicates, 0 refused, 0 failed handshakes",
                "last delivered: 20", "last stored: 20", "s ago)");
    }

    @Test
    void aDegradedAgentExitsWithOneAndSaysWhy() throws Exception {
        int nobody = Ports.free();
        FerrySettings settings = settings("ferry.client.server-port", Integer.toString(nobody),
                "ferry.metrics.unreachable-after", "200ms");
        Metrics metrics = running.add(Metrics.start(settings.metrics()));
        running.add(Clients.start(settings, metrics.client("plain")));
        Trees.write(dir.resolve("outbox/stuck.bin"), 10, 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> !metrics.health().ok());

        CommandLineRun status = CommandLineRun.of("status", "--config", config(metrics.port()).toString());

        assertThat(status.exitCode()).isEqualTo(1);
        assertThat(status.out()).contains(": degraded: server unreachable for ", "client (plain): ",
                "not connected", "last delivered: never since the agent started")
                .doesNotContain("server: ");
    }

    @Test
    void anUnreachableEndpointExitsWithOneAndSaysWhatToCheck() throws Exception {
        int nobody = Ports.free();

        CommandLineRun status = CommandLineRun.of("status", "--config", config(nobody).toString());

        assertThat(status.exitCode()).isEqualTo(1);
        assertThat(status.err()).contains("cannot reach the agent's metrics endpoint at http://127.0.0.1:" + nobody,
                "is the agent running with ferry.metrics.enabled = true");
    }
}

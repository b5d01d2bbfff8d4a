package dev.ferry.e2e;

import dev.ferry.client.ClientAgent;
import dev.ferry.config.FerrySettings;
import dev.ferry.testing.AgentProcess;
import dev.ferry.testing.Clients;
import dev.ferry.testing.TestSettings;
import dev.ferry.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Agents as separate JVMs, killed with SIGKILL in the middle of a transfer. */
class CrashTest {
    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static long tempBytes(Path inbox) throws IOException {
        Path tmp = inbox.resolve(".ferry/tmp");
        if (!Files.isDirectory(tmp)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(tmp)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    void serverKilledInTheMiddleOfABigFileLeavesNothingAndDeliversAfterRestart() throws Exception {
        int port = freePort();
        Path inbox = dir.resolve("inbox");
        String[] server = {"ferry.security.protocol", "plain", "ferry.server.host", "127.0.0.1", "ferry.server.port", Integer.toString(port),
                "ferry.server.inbox", inbox.toString()};
        FerrySettings clientSettings = TestSettings.load("ferry.client.server-port", Integer.toString(port),
                "ferry.client.outbox", dir.resolve("outbox").toString(), "ferry.client.settle-time", "200ms",
                "ferry.client.retry.initial", "100ms", "ferry.client.retry.max", "500ms");
        String digest = Trees.write(dir.resolve("outbox/big.bin"), 200L << 20, 200);

        try (AgentProcess first = AgentProcess.start(dir.resolve("run1"), "server", server)
                .awaitLog("server listening", Duration.ofSeconds(30));
             ClientAgent client = Clients.start(clientSettings)) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                    .until(() -> tempBytes(inbox) > 20L << 20);

            first.kill();

            assertThat(Trees.digests(inbox)).as("nothing partial is visible in the inbox").isEmpty();
            try (AgentProcess second = AgentProcess.start(dir.resolve("run2"), "server", server)
                    .awaitLog("server listening", Duration.ofSeconds(30))) {
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                    assertThat(Trees.digests(inbox)).isEqualTo(Map.of("big.bin", digest));
                    assertThat(Trees.digests(dir.resolve("outbox"))).isEmpty();
                });
                assertThat(second.log()).contains("stale temp files removed count=1");
                assertThat(tempBytes(inbox)).isZero();
                assertThat(second.terminate(Duration.ofSeconds(15))).as("exit code after SIGTERM").isZero();
            }
        }
    }
}

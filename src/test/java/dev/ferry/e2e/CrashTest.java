package dev.ferry.e2e;

import dev.ferry.client.ClientAgent;
import dev.ferry.config.FerrySettings;
import dev.ferry.testing.AgentProcess;
import dev.ferry.testing.Clients;
import dev.ferry.testing.Ports;
import dev.ferry.testing.TestSettings;
import dev.ferry.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Agents as separate JVMs, killed with SIGKILL in the middle of a transfer. */
class CrashTest {
    @TempDir
    Path dir;


    /** Bytes in the server's temporary and partial (resumable) files. */
    private static long tempBytes(Path inbox) throws IOException {
        long total = 0;
        for (String dir : new String[] {".ferry/tmp", ".ferry/partial"}) {
            Path folder = inbox.resolve(dir);
            if (Files.isDirectory(folder)) {
                try (Stream<Path> files = Files.list(folder)) {
                    total += files.mapToLong(p -> p.toFile().length()).sum();
                }
            }
        }
        return total;
    }

    @Test
    void serverKilledInTheMiddleOfABigFileLeavesNothingAndResumesAfterRestart() throws Exception {
        int port = Ports.free();
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
                    .until(() -> tempBytes(inbox) > 150L << 20);

            first.kill();

            assertThat(Trees.digests(inbox)).as("nothing partial is visible in the inbox").isEmpty();
            try (AgentProcess second = AgentProcess.start(dir.resolve("run2"), "server", server)
                    .awaitLog("server listening", Duration.ofSeconds(30))) {
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                    assertThat(Trees.digests(inbox)).isEqualTo(Map.of("big.bin", digest));
                    assertThat(Trees.digests(dir.resolve("outbox"))).isEmpty();
                });
                Matcher resumed = Pattern.compile("resuming file=big.bin offset=(\\d+)").matcher(second.log());
                assertThat(resumed.find()).as("the server resumed the file:\n%s", second.log()).isTrue();
                assertThat(Long.parseLong(resumed.group(1))).as("bytes not sent again")
                        .isGreaterThanOrEqualTo(96L << 20);
                assertThat(tempBytes(inbox)).isZero();
                assertThat(second.terminate(Duration.ofSeconds(15))).as("exit code after SIGTERM").isZero();
            }
        }
    }
}

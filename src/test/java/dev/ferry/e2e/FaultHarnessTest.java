package dev.ferry.e2e;

import dev.ferry.testing.AgentProcess;
import dev.ferry.testing.TestPki;
import dev.ferry.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Both agents as separate JVMs under cp2, killed with SIGKILL at random moments and restarted,
 * again and again, while 300 files of 0 B to 20 MiB flow. At the end every file is in the inbox
 * exactly once with its SHA-256, the outbox is empty and no temporary or partial file is left.
 * {@code bench/soak.sh} runs the same for many more cycles (system properties soak.cycles,
 * soak.files, soak.seed).
 */
class FaultHarnessTest {
    private static final Logger log = LoggerFactory.getLogger(FaultHarnessTest.class);

    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void everyFileArrivesExactlyOnceWhileBothAgentsAreKilledAgainAndAgain() throws Exception {
        int cycles = Integer.getInteger("soak.cycles", 30);
        int fileCount = Integer.getInteger("soak.files", 300);
        long seed = Long.getLong("soak.seed", System.nanoTime());
        log.info("fault harness cycles={} files={} seed={}", cycles, fileCount, seed);
        Random random = new Random(seed);
        TestPki pki = TestPki.create(dir.resolve("certs"));
        int port = freePort();
        Path inbox = dir.resolve("inbox");
        Path outbox = dir.resolve("outbox");
        List<String> settings = new ArrayList<>(List.of(pki.settings("cp2")));
        settings.addAll(List.of(
                "ferry.server.host", "127.0.0.1", "ferry.server.port", Integer.toString(port),
                "ferry.server.inbox", inbox.toString(), "ferry.client.server-port", Integer.toString(port),
                "ferry.client.outbox", outbox.toString(), "ferry.client.settle-time", "200ms",
                "ferry.client.rescan-interval", "2s", "ferry.client.retry.initial", "100ms",
                "ferry.client.retry.max", "1s", "ferry.client.resume-threshold", "4 MiB",
                "ferry.server.resume.checkpoint", "1 MiB"));
        String[] agentSettings = settings.toArray(String[]::new);
        Map<String, String> expected = new TreeMap<>();
        for (int i = 0; i < fileCount; i++) {
            String name = (i % 3 == 0 ? "deep/er/" : i % 3 == 1 ? "flat/" : "") + "file-" + i + ".bin";
            long size = i % 10 == 0 ? random.nextInt(20 << 20) : i % 7 == 0 ? 0 : random.nextInt(64 << 10);
            expected.put(name, Trees.write(outbox.resolve(name), size, seed + i));
        }

        AgentProcess server = AgentProcess.start(dir.resolve("run"), "server", agentSettings)
                .awaitLog("server listening", Duration.ofSeconds(30));
        AgentProcess client = AgentProcess.start(dir.resolve("run"), "client", agentSettings)
                .awaitLog("client watching", Duration.ofSeconds(30));
        int serverKills = 0;
        int clientKills = 0;
        try {
            for (int cycle = 0; cycle < cycles; cycle++) {
                Thread.sleep(100 + random.nextInt(900)); // the fault's timing is the test's random input
                if (random.nextBoolean()) {
                    server.kill();
                    serverKills++;
                    server = AgentProcess.start(dir.resolve("run"), "server", agentSettings)
                            .awaitLog("server listening", Duration.ofSeconds(30));
                } else {
                    client.kill();
                    clientKills++;
                    client = AgentProcess.start(dir.resolve("run"), "client", agentSettings)
                            .awaitLog("client watching", Duration.ofSeconds(30));
                }
            }
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500)).until(() ->
                    Trees.digests(outbox).isEmpty() && Trees.digests(inbox).size() >= expected.size());

            Map<String, String> arrived = Trees.digests(inbox);
            long lost = expected.keySet().stream().filter(name -> !arrived.containsKey(name)).count();
            long extra = arrived.keySet().stream().filter(name -> !expected.containsKey(name)).count();
            long corrupt = expected.entrySet().stream()
                    .filter(e -> arrived.containsKey(e.getKey()) && !arrived.get(e.getKey()).equals(e.getValue()))
                    .count();
            log.info("fault harness done cycles={} server-kills={} client-kills={} files={} lost={} duplicates={}"
                    + " corrupt={} leftovers={}", cycles, serverKills, clientKills, expected.size(), lost, extra,
                    corrupt, leftovers(inbox));
            assertThat(arrived).as("seed %d", seed).isEqualTo(expected);
            assertThat(leftovers(inbox)).as("temporary or partial files left, seed %d", seed).isEmpty();
        } finally {
            server.close();
            client.close();
        }
    }

    private static List<String> leftovers(Path inbox) throws IOException {
        List<String> left = new ArrayList<>();
        for (String folder : new String[] {".ferry/tmp", ".ferry/partial"}) {
            Path path = inbox.resolve(folder);
            if (Files.isDirectory(path)) {
                try (Stream<Path> files = Files.list(path)) {
                    files.forEach(p -> left.add(folder + "/" + p.getFileName()));
                }
            }
        }
        return left;
    }
}

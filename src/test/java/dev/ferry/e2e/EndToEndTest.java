package dev.ferry.e2e;

import ch.qos.logback.classic.Level;
import dev.ferry.client.ClientAgent;
import dev.ferry.config.FerrySettings;
import dev.ferry.server.ServerAgent;
import dev.ferry.testing.Clients;
import dev.ferry.testing.LogLines;
import dev.ferry.testing.Ports;
import dev.ferry.testing.Running;
import dev.ferry.testing.Servers;
import dev.ferry.testing.TestSettings;
import dev.ferry.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Both agents in this JVM on loopback, real folders, real sockets. */
class EndToEndTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final Running running = new Running();

    private FerrySettings settings(int port, String... more) {
        List<String> keys = new ArrayList<>(List.of(
                "ferry.server.host", "127.0.0.1",
                "ferry.server.port", Integer.toString(port),
                "ferry.server.inbox", dir.resolve("inbox").toString(),
                "ferry.client.server-port", Integer.toString(port),
                "ferry.client.outbox", dir.resolve("outbox").toString(),
                "ferry.client.settle-time", "300ms",
                "ferry.client.rescan-interval", "2s",
                "ferry.client.retry.initial", "100ms",
                "ferry.client.retry.max", "1s"));
        keys.addAll(List.of(more));
        return TestSettings.load(keys.toArray(String[]::new));
    }

    private ServerAgent server(FerrySettings settings) throws IOException {
        ServerAgent server = Servers.start(settings);
        running.add(server);
        return server;
    }

    private ClientAgent client(FerrySettings settings) throws IOException {
        ClientAgent client = Clients.start(settings);
        running.add(client);
        return client;
    }


    private void awaitDelivered(Map<String, String> expected, Duration atMost) {
        Path inbox = dir.resolve("inbox");
        Path outbox = dir.resolve("outbox");
        await().atMost(atMost).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            assertThat(Trees.digests(inbox)).isEqualTo(expected);
            assertThat(Trees.digests(outbox)).isEmpty();
        });
    }

    @Test
    void deliversAHundredFilesWithSubFoldersAnEmptyFileAndABigOne() throws IOException {
        Path outbox = dir.resolve("outbox");
        Map<String, String> expected = new TreeMap<>();
        for (int i = 0; i < 50; i++) {
            expected.put("before/f" + i + ".bin", Trees.write(outbox.resolve("before/f" + i + ".bin"), 1000L * i, i));
        }
        FerrySettings settings = settings(Ports.free());
        server(settings);
        client(settings);
        for (int i = 50; i < 98; i++) {
            String name = "after/deeper/f" + i + ".bin";
            expected.put(name, Trees.write(outbox.resolve(name), 977L * i, i));
        }
        expected.put("empty.txt", Trees.write(outbox.resolve("empty.txt"), 0, 0));
        expected.put("big.bin", Trees.write(outbox.resolve("big.bin"), 50L << 20, 42));
        assertThat(expected).hasSize(100);

        awaitDelivered(expected, Duration.ofSeconds(60));
    }

    @Test
    void severalConnectionsDeliverEveryFileExactlyOnce() throws IOException {
        Path outbox = dir.resolve("outbox");
        Map<String, String> expected = new TreeMap<>();
        for (int i = 0; i < 300; i++) {
            String name = (i % 3 == 0 ? "sub/" : "") + "small" + i + ".bin";
            expected.put(name, Trees.write(outbox.resolve(name), 4096, i));
        }
        // A window of 2 fills at once, so the other senders take files and open their own connections.
        FerrySettings settings = settings(Ports.free(), "ferry.client.connections", "4", "ferry.client.window", "2",
                "ferry.server.commit-threads", "4");

        try (LogLines logs = LogLines.capture()) {
            server(settings);
            client(settings);

            awaitDelivered(expected, Duration.ofSeconds(60));
            List<String> stored = logs.server(Level.INFO).stream().filter(line -> line.startsWith("stored file="))
                    .map(line -> line.substring("stored file=".length(), line.indexOf(" bytes="))).sorted().toList();
            assertThat(stored).as("one stored line per file, none stored twice")
                    .containsExactlyElementsOf(expected.keySet().stream().sorted().toList());
            long connections = logs.client(Level.INFO).stream().filter(line -> line.startsWith("connected ")).count();
            assertThat(connections).isBetween(2L, 4L);
        }
    }

    @Test
    void sendsAFileWrittenSlowlyOnceAndComplete() throws Exception {
        FerrySettings settings = settings(Ports.free(), "ferry.client.settle-time", "1s");
        ServerAgent server = server(settings);
        client(settings);
        Path slow = dir.resolve("outbox/slow.log");
        byte[] piece = new byte[10_000];
        MessageDigest digest = Trees.sha256();

        try (OutputStream out = Files.newOutputStream(slow)) {
            for (int i = 0; i < 4; i++) {
                piece[0] = (byte) i;
                out.write(piece);
                out.flush();
                digest.update(piece);
                Thread.sleep(500); // the writer's pace: four pieces over two seconds
            }
        }

        awaitDelivered(Map.of("slow.log", HexFormat.of().formatHex(digest.digest())), Duration.ofSeconds(20));
        assertThat(Files.size(dir.resolve("inbox/slow.log"))).isEqualTo(40_000);
        try (var files = Files.list(server.inbox().root())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("slow.log", ".ferry");
        }
    }

    @Test
    void deliversEverythingOnceTheServerComesUp() throws Exception {
        int port = Ports.free();
        FerrySettings settings = settings(port);
        client(settings);
        Map<String, String> expected = new TreeMap<>();
        for (int i = 0; i < 10; i++) {
            expected.put("waiting" + i + ".bin", Trees.write(dir.resolve("outbox/waiting" + i + ".bin"), 5000, i));
        }

        Thread.sleep(5000); // the scenario: the server is down for five seconds
        assertThat(Trees.digests(dir.resolve("outbox"))).isEqualTo(expected);
        server(settings);

        awaitDelivered(expected, Duration.ofSeconds(20));
    }

    @Test
    void archivesInsteadOfDeletingWhenConfigured() throws IOException {
        FerrySettings settings = settings(Ports.free(), "ferry.client.after-send", "archive");
        server(settings);
        client(settings);
        String digest = Trees.write(dir.resolve("outbox/keep/me.bin"), 1234, 7);

        awaitDelivered(Map.of("keep/me.bin", digest), Duration.ofSeconds(20));
        assertThat(Trees.sha256(dir.resolve("outbox/.sent/keep/me.bin"))).isEqualTo(digest);
    }

    @Test
    void movesARefusedFileToTheFailedFolderWithAReason() throws IOException {
        FerrySettings settings = settings(Ports.free(), "ferry.server.max-file-size", "1 KiB");
        server(settings);
        client(settings);
        Trees.write(dir.resolve("outbox/too-big.bin"), 5000, 1);

        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dir.resolve("outbox/.failed/too-big.bin.reason")));
        assertThat(Files.readString(dir.resolve("outbox/.failed/too-big.bin.reason"))).contains("TOO_LARGE");
        assertThat(Trees.digests(dir.resolve("inbox"))).isEmpty();
    }
}

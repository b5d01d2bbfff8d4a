package dev.ferry.e2e;

import dev.ferry.client.ClientAgent;
import dev.ferry.config.FerrySettings;
import dev.ferry.server.ServerAgent;
import dev.ferry.testing.Clients;
import dev.ferry.testing.Servers;
import dev.ferry.testing.TestPki;
import dev.ferry.testing.TestSettings;
import dev.ferry.testing.Trees;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The client in compat mode pushes seed sessions, here to a Ferry server reading them as the original would. */
class CompatTest {
    @TempDir
    static Path certs;

    private static TestPki pki;

    @TempDir
    Path dir;

    @BeforeAll
    static void mintCertificates() {
        pki = TestPki.create(certs);
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "ap", "cp1", "cp2"})
    void deliversWholeFilesBySeedSessions(String protocol) throws Exception {
        FerrySettings serverSettings = TestSettings.load(TestPki.join(pki.settings(protocol), new String[] {
            "ferry.server.host", "127.0.0.1", "ferry.server.port", "0",
            "ferry.server.inbox", dir.resolve("inbox").toString()}));
        try (ServerAgent server = Servers.start(serverSettings)) {
            FerrySettings clientSettings = TestSettings.load(TestPki.join(pki.settings(protocol), new String[] {
                "ferry.client.server-port", Integer.toString(server.port()),
                "ferry.client.outbox", dir.resolve("outbox").toString(),
                "ferry.client.settle-time", "200ms",
                "ferry.client.compat", "true",
                "ferry.client.compat-max-file-size", "64 KiB"}));
            String small = Trees.write(dir.resolve("outbox/sub/one.txt"), 3000, 1);
            String other = Trees.write(dir.resolve("outbox/two.bin"), 20_000, 2);
            Trees.write(dir.resolve("outbox/too-big.bin"), 100_000, 3);

            try (ClientAgent client = Clients.start(clientSettings)) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    assertThat(Trees.digests(dir.resolve("inbox"))).isEqualTo(Map.of("one.txt", small, "two.bin", other));
                    assertThat(Trees.digests(dir.resolve("outbox"))).isEmpty();
                    assertThat(dir.resolve("outbox/.failed/too-big.bin.reason")).exists();
                });
            }
            assertThat(Files.readString(dir.resolve("outbox/.failed/too-big.bin.reason")))
                    .contains("compat-max-file-size");
        }
    }
}

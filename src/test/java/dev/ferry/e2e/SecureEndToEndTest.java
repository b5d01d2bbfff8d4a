package dev.ferry.e2e;

import dev.ferry.client.ClientAgent;
import dev.ferry.config.FerrySettings;
import dev.ferry.server.ServerAgent;
import dev.ferry.testing.Clients;
import dev.ferry.testing.Running;
import dev.ferry.testing.Servers;
import dev.ferry.testing.TestPki;
import dev.ferry.testing.TestSettings;
import dev.ferry.testing.Trees;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Both agents on loopback under each security protocol, with certificates minted for the test. */
class SecureEndToEndTest {
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

    /**
     * cp1 moves about 0.3 MB/s on two cores (one RSA decryption per 190 bytes), so its case is
     * smaller; the 100 MiB case for cp1 is in bench/.
     */
    @ParameterizedTest(name = "{0}: {1} small files and {2} MiB")
    @CsvSource({"ap, 500, 100", "cp2, 500, 100", "cp1, 40, 1"})
    void deliversSmallFilesAndABigOne(String protocol, int smallFiles, int bigMiB) throws IOException {
        FerrySettings settings = TestSettings.load(TestPki.join(pki.settings(protocol), new String[] {
            "ferry.server.host", "127.0.0.1", "ferry.server.port", "0",
            "ferry.server.inbox", dir.resolve("inbox").toString(),
            "ferry.client.outbox", dir.resolve("outbox").toString(),
            "ferry.client.settle-time", "200ms"}));
        ServerAgent server = Servers.start(settings);
        running.add(server);
        ClientAgent client = Clients.start(TestSettings.load(TestPki.join(pki.settings(protocol), new String[] {
            "ferry.client.server-port", Integer.toString(server.port()),
            "ferry.client.outbox", dir.resolve("outbox").toString(),
            "ferry.client.settle-time", "200ms"})));
        running.add(client);
        Map<String, String> expected = new TreeMap<>();
        for (int i = 0; i < smallFiles; i++) {
            String name = "small/s" + (i % 7) + "/f" + i + ".dat";
            expected.put(name, Trees.write(dir.resolve("outbox").resolve(name), 100 + i * 13L, i));
        }
        expected.put("big.bin", Trees.write(dir.resolve("outbox/big.bin"), (long) bigMiB << 20, 99));

        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            assertThat(Trees.digests(dir.resolve("inbox"))).isEqualTo(expected);
            assertThat(Trees.digests(dir.resolve("outbox"))).isEmpty();
        });
    }
}

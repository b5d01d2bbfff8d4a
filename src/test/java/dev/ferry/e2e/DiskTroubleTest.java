package dev.ferry.e2e;

import ch.qos.logback.classic.Level;
import dev.ferry.client.ClientAgent;
import dev.ferry.server.ServerAgent;
import dev.ferry.testing.Clients;
import dev.ferry.testing.Fault;
import dev.ferry.testing.FaultPoints;
import dev.ferry.testing.LogLines;
import dev.ferry.testing.Running;
import dev.ferry.testing.Servers;
import dev.ferry.testing.TestMount;
import dev.ferry.testing.TestPki;
import dev.ferry.testing.TestProxy.Direction;
import dev.ferry.testing.TestProxy;
import dev.ferry.testing.TestSettings;
import dev.ferry.testing.Trees;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Both agents in this JVM under cp2, with an inbox that cannot take a file for now: a server whose
 * {@code min-free-space} is above the free space, an inbox made read-only by a read-only bind mount,
 * and an inbox on a small tmpfs that is too full for a file, before it is sent or while it is being
 * written (ENOSPC). In each case the server answers UNAVAILABLE, nothing temporary or partial stays
 * in the inbox, the client keeps the file and sends it again with backoff, the server goes on
 * serving, and the file arrives once the condition clears. The mounts need root (or CAP_SYS_ADMIN);
 * without it those tests are skipped, and the {@code min-free-space} tests still run.
 */
class DiskTroubleTest {
    private static final long RESUME_THRESHOLD = 1L << 20;
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    static Path certs;

    private static TestPki pki;

    @TempDir
    Path dir;

    @RegisterExtension
    final Running running = new Running();
    private LogLines logs;
    private Path inbox;

    @BeforeAll
    static void mintCertificates() {
        pki = TestPki.create(certs);
    }

    @BeforeEach
    void captureLogs() {
        logs = running.add(LogLines.capture());
        inbox = dir.resolve("inbox");
    }

    @ParameterizedTest(name = "resumable: {0}")
    @ValueSource(booleans = {false, true})
    void aServerShortOfFreeSpaceRefusesForNowAndTheFileArrivesWhenAServerWithRoomTakesOver(boolean resumable)
            throws Exception {
        ServerAgent full = server(0, "ferry.server.min-free-space", "1000000 TiB");
        int port = full.port();
        String sha = Trees.write(outbox().resolve("waiting.bin"), 300 << 10, 1);

        client(port, resumable);

        awaitRefusedAgainAndAgain("waiting.bin", "ferry.server.min-free-space");
        assertKeptAndNothingStored(Map.of("waiting.bin", sha));
        running.remove(full);
        full.close();
        server(port, "ferry.server.min-free-space", "1 MiB");
        awaitDelivered(Map.of("waiting.bin", sha));
    }

    @ParameterizedTest(name = "resumable: {0}")
    @ValueSource(booleans = {false, true})
    void aReadOnlyInboxRefusesForNowAndTheFileArrivesOnceItIsWritable(boolean resumable) throws Exception {
        ServerAgent server = server(0);
        TestMount readOnly = mount(TestMount.readOnly(inbox));
        String sha = Trees.write(outbox().resolve("locked.bin"), 300 << 10, 2);

        client(server.port(), resumable);

        awaitRefusedAgainAndAgain("locked.bin", "Read-only file system");
        assertKeptAndNothingStored(Map.of("locked.bin", sha));
        readOnly.close();
        awaitDelivered(Map.of("locked.bin", sha));
    }

    @Test
    void aFileLargerThanTheFreeSpaceWaitsWhileSmallerFilesPassAndArrivesWhenSpaceReturns() throws Exception {
        TestMount disk = mount(TestMount.tmpfs(dir.resolve("disk"), "8m"));
        inbox = disk.dir().resolve("inbox");
        Path filler = disk.dir().resolve("filler");
        Trees.write(filler, 5 << 20, 3);
        ServerAgent server = server(0, "ferry.server.min-free-space", "0");
        Map<String, String> expected = new TreeMap<>();
        expected.put("big.bin", Trees.write(outbox().resolve("big.bin"), 4 << 20, 4));

        client(server.port(), false);

        awaitRefusedAgainAndAgain("big.bin", "ferry.server.min-free-space");
        smallerFilesStillPass(expected, "big.bin");
        Files.delete(filler);
        awaitDelivered(expected);
    }

    @ParameterizedTest(name = "resumable: {0}")
    @ValueSource(booleans = {false, true})
    void aWriteThatRunsOutOfSpaceRemovesItsDataAndTheFileArrivesWhenSpaceReturns(boolean resumable)
            throws Exception {
        TestMount disk = mount(TestMount.tmpfs(dir.resolve("disk"), "8m"));
        inbox = disk.dir().resolve("inbox");
        ServerAgent server = server(0, "ferry.server.min-free-space", "0");
        // Holds the file back after its first MiB until the test has filled the disk (a timed stall
        // could end first on a loaded machine, and then the filler would not fit).
        TestProxy proxy = TestProxy.start(server.port()).fault(1, Fault.stall(Direction.CLIENT_TO_SERVER,
                Fault.at(FaultPoints.insideLargeFile(1 << 20)), Duration.ofMinutes(2)));
        running.add(proxy);
        Map<String, String> expected = new TreeMap<>();
        expected.put("big.bin", Trees.write(outbox().resolve("big.bin"), 4 << 20, 5));
        client(proxy.port(), resumable);
        await().atMost(PATIENCE).until(() -> !proxy.connections().isEmpty()
                && proxy.connections().get(0).struck(Direction.CLIENT_TO_SERVER));
        Path filler = disk.dir().resolve("filler");
        Trees.write(filler, usableSpace(disk) - (256 << 10), 6);
        long fullDisk = usableSpace(disk);
        proxy.connections().get(0).endStalls();

        awaitRefused("big.bin", "No space left on device", 1);

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(leftovers()).as("data of the refused file").isEmpty();
            assertThat(usableSpace(disk)).as("space once the refused data is removed")
                    .isGreaterThan(fullDisk + (512 << 10));
        });
        assertThat(Trees.digests(outbox())).containsEntry("big.bin", expected.get("big.bin"));
        smallerFilesStillPass(expected, "big.bin");
        Files.delete(filler);
        awaitDelivered(expected);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private Path outbox() {
        return dir.resolve("outbox");
    }

    private TestMount mount(TestMount mount) {
        return running.add(mount);
    }

    private static long usableSpace(TestMount disk) throws IOException {
        return Files.getFileStore(disk.dir()).getUsableSpace();
    }

    private ServerAgent server(int port, String... more) throws IOException {
        ServerAgent server = Servers.start(TestSettings.load(TestPki.join(pki.settings("cp2"), new String[] {
            "ferry.server.host", "127.0.0.1",
            "ferry.server.port", Integer.toString(port),
            "ferry.server.inbox", inbox.toString()}, more)));
        running.add(server);
        return server;
    }

    private void client(int port, boolean resumable) throws IOException {
        ClientAgent client = Clients.start(TestSettings.load(TestPki.join(pki.settings("cp2"), new String[] {
            "ferry.client.name", "disk-trouble-test",
            "ferry.client.server-port", Integer.toString(port),
            "ferry.client.outbox", outbox().toString(),
            "ferry.client.settle-time", "100ms",
            "ferry.client.rescan-interval", "1s",
            "ferry.client.retry.initial", "100ms",
            "ferry.client.retry.max", "1s",
            "ferry.client.resume-threshold", resumable ? Long.toString(RESUME_THRESHOLD) : "64 MiB"})));
        running.add(client);
    }

    /** The server refused {@code name} as UNAVAILABLE for {@code reason} twice at least; the client kept it. */
    private void awaitRefusedAgainAndAgain(String name, String reason) {
        awaitRefused(name, reason, 2);
    }

    /** The server refused {@code name} as UNAVAILABLE for {@code reason} {@code times} at least; the client kept it. */
    private void awaitRefused(String name, String reason, int times) {
        await().atMost(PATIENCE).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            assertThat(logs.server(Level.WARN)).filteredOn(line -> line.startsWith("refused file=" + name
                    + " status=UNAVAILABLE") && line.contains(reason)).hasSizeGreaterThanOrEqualTo(times);
            assertThat(logs.client(Level.WARN)).filteredOn(line -> line.startsWith("server cannot take file=" + name
                    + " status=UNAVAILABLE")).hasSizeGreaterThanOrEqualTo(times);
        });
    }

    /** Nothing in the inbox, not even temporary or partial data; the outbox holds exactly {@code kept}. */
    private void assertKeptAndNothingStored(Map<String, String> kept) throws IOException {
        assertThat(Trees.digests(inbox)).isEmpty();
        assertThat(leftovers()).as("temporary or partial files in the inbox").isEmpty();
        assertThat(Trees.digests(outbox())).isEqualTo(kept);
        assertThat(outbox().resolve(".failed")).doesNotExist();
    }

    /** A small file dropped into the outbox now arrives while {@code waiting} stays in the outbox. */
    private void smallerFilesStillPass(Map<String, String> expected, String waiting) throws IOException {
        String sha = Trees.write(outbox().resolve("small/one.bin"), 16 << 10, 9);
        // The client deletes its copy a moment after the server stored it: wait for both.
        await().atMost(PATIENCE).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            assertThat(Trees.digests(inbox)).isEqualTo(Map.of("small/one.bin", sha));
            assertThat(Trees.digests(outbox())).containsOnlyKeys(waiting);
        });
        expected.put("small/one.bin", sha);
    }

    /**
     * Waits until the inbox holds exactly {@code expected} and the outbox nothing; then checks that
     * no temporary or partial file is left, each file was stored and confirmed once, and no thread
     * of either agent failed.
     */
    private void awaitDelivered(Map<String, String> expected) throws IOException {
        await().atMost(PATIENCE).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            assertThat(Trees.digests(inbox)).isEqualTo(expected);
            assertThat(Trees.digests(outbox())).isEmpty();
            for (String name : expected.keySet()) {
                assertThat(logs.client(Level.INFO)).filteredOn(line -> line.startsWith("delivered file=" + name + " "))
                        .hasSize(1);
            }
        });
        assertThat(outbox().resolve(".failed")).doesNotExist();
        assertThat(leftovers()).as("temporary or partial files in the inbox").isEmpty();
        for (String name : expected.keySet()) {
            assertThat(logs.server(Level.INFO)).filteredOn(line -> line.startsWith("stored file=" + name + " "))
                    .hasSize(1);
        }
        // The audit log lives on the same full disk: a refused file's audit line may not fit, which
        // the server reports as an error and which is the one error expected here.
        assertThat(logs.server(Level.ERROR)).filteredOn(line -> !line.startsWith("audit line not written")).isEmpty();
        assertThat(logs.client(Level.ERROR)).isEmpty();
    }

    private List<String> leftovers() throws IOException {
        List<String> left = new ArrayList<>();
        for (String folder : List.of(".ferry/tmp", ".ferry/partial")) {
            try (Stream<Path> files = Files.list(inbox.resolve(folder))) {
                files.forEach(file -> left.add(folder + "/" + file.getFileName()));
            }
        }
        return left;
    }
}

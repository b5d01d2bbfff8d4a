package dev.ferry.e2e;

import com.typesafe.config.ConfigUtil;
import dev.ferry.testing.AgentProcess;
import dev.ferry.testing.Ports;
import dev.ferry.testing.TestPki;
import dev.ferry.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Both agents as separate JVMs, each started from a configuration file that is then edited while
 * files flow: the edits take effect without restart, an invalid edit changes nothing, and every
 * file arrives exactly once with its SHA-256.
 */
class ConfigReloadTest {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration FLOW = Duration.ofSeconds(90);

    @TempDir
    Path dir;


    /** Writes a configuration file: strings quoted, values starting with '[' (lists) as they are. */
    private static void writeConfig(Path file, Map<String, String> settings) throws IOException {
        StringBuilder text = new StringBuilder();
        settings.forEach((key, value) -> text.append(key).append(" = ")
                .append(value.startsWith("[") ? value : ConfigUtil.quoteString(value)).append('\n'));
        // As an editor saves: a new file renamed over the old one.
        Path swap = file.resolveSibling("." + file.getFileName() + ".swp");
        Files.writeString(swap, text);
        Files.move(swap, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Writes the agent's configuration file, starts {@code ferry ROLE --config FILE}, waits for {@code ready}. */
    private AgentProcess start(String role, Path config, Map<String, String> settings, String ready)
            throws IOException {
        writeConfig(config, settings);
        return AgentProcess.start(dir.resolve("run"), List.of(role, "--config", config.toString()))
                .awaitLog(ready, START);
    }

    private static int count(String log, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(log);
        int n = 0;
        while (matcher.find()) {
            n++;
        }
        return n;
    }

    /** Drops a file into the outbox every 100 ms, each written aside and renamed in complete. */
    private static final class Producer implements AutoCloseable {
        private final Path outbox;
        private final Map<String, String> expected = new ConcurrentHashMap<>();
        private final AtomicInteger next = new AtomicInteger();
        private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();

        Producer(Path outbox) {
            this.outbox = outbox;
            executor.scheduleWithFixedDelay(this::drop, 0, 100, TimeUnit.MILLISECONDS);
        }

        private void drop() {
            int i = next.getAndIncrement();
            String name = (i % 2 == 0 ? "sub/" : "") + "file-" + i + ".bin";
            // Every tenth file is 3 MiB, so that files are in flight when the agents change settings.
            long size = i % 10 == 0 ? 3L << 20 : 1000L * (i % 50);
            try {
                Path aside = outbox.resolve(".incoming-" + i);
                String digest = Trees.write(aside, size, i);
                Files.createDirectories(outbox.resolve(name).getParent());
                Files.move(aside, outbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
                expected.put(name, digest);
            } catch (IOException e) {
                throw new IllegalStateException("cannot write to the outbox: " + e, e);
            }
        }

        /** Stops producing; returns every file dropped, name to SHA-256. */
        Map<String, String> stop() throws InterruptedException {
            executor.shutdown();
            assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            return Map.copyOf(expected);
        }

        @Override
        public void close() {
            executor.shutdownNow();
        }
    }

    @Test
    void bothAgentsSwitchFromPlainToCp2WhileFilesKeepFlowingAndAnInvalidEditChangesNothing() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("certs"));
        int port = Ports.free();
        Path inbox = dir.resolve("inbox");
        Path outbox = Files.createDirectories(dir.resolve("outbox"));
        Map<String, String> security = new LinkedHashMap<>();
        String[] pkiSettings = pki.settings("plain");
        for (int i = 0; i < pkiSettings.length; i += 2) {
            security.put(pkiSettings[i], pkiSettings[i + 1]);
        }
        Map<String, String> server = new LinkedHashMap<>(security);
        server.putAll(Map.of("ferry.server.host", "127.0.0.1", "ferry.server.port", Integer.toString(port),
                "ferry.server.inbox", inbox.toString(), "ferry.config.reload-debounce", "200ms"));
        Map<String, String> client = new LinkedHashMap<>(security);
        client.putAll(Map.of("ferry.client.server-port", Integer.toString(port),
                "ferry.client.outbox", outbox.toString(), "ferry.client.settle-time", "200ms",
                "ferry.client.retry.initial", "100ms", "ferry.client.retry.max", "1s",
                "ferry.config.reload-debounce", "200ms"));
        Path serverConf = dir.resolve("server.conf");
        Path clientConf = dir.resolve("client.conf");

        try (AgentProcess serverAgent = start("server", serverConf, server, "watching config file");
             AgentProcess clientAgent = start("client", clientConf, client, "watching config file");
             Producer producer = new Producer(outbox)) {
            await().atMost(FLOW).until(() -> count(serverAgent.log(), "stored file=.* protocol=plain") >= 10);

            // An invalid edit on each side: logged with the key and the reason, nothing else happens.
            Map<String, String> badClient = new LinkedHashMap<>(client);
            badClient.put("ferry.client.settle-time", "soon");
            writeConfig(clientConf, badClient);
            Map<String, String> badServer = new LinkedHashMap<>(server);
            badServer.put("ferry.server.on-conflict", "sometimes");
            writeConfig(serverConf, badServer);
            clientAgent.awaitLog("ferry.client.settle-time = \"soon\": must be a duration", START);
            serverAgent.awaitLog("ferry.server.on-conflict = \"sometimes\": must be one of", START);
            int storedBefore = count(serverAgent.log(), "stored file=.* protocol=plain");
            await().atMost(FLOW).until(() ->
                    count(serverAgent.log(), "stored file=.* protocol=plain") >= storedBefore + 10);
            assertThat(clientAgent.log()).contains("config not applied").doesNotContain("config reloaded");
            assertThat(serverAgent.log()).contains("config not applied").doesNotContain("config reloaded");

            // The switch: the server first (accepting both for the moment), then the client.
            server.put("ferry.security.protocol", "cp2");
            server.put("ferry.server.accept", "[\"cp2\", \"plain\"]");
            writeConfig(serverConf, server);
            serverAgent.awaitLog("changed=ferry.security.protocol (plain -> cp2), ferry.server.accept ([] -> "
                    + "[\"cp2\",\"plain\"]) restarted=server", START);
            client.put("ferry.security.protocol", "cp2");
            writeConfig(clientConf, client);
            clientAgent.awaitLog("changed=ferry.security.protocol (plain -> cp2) restarted=client", START);
            await().atMost(FLOW).until(() -> count(serverAgent.log(), "stored file=.* protocol=cp2") >= 10);
            Map<String, String> expected = producer.stop();

            await().atMost(FLOW).pollInterval(Duration.ofMillis(250)).until(() ->
                    Trees.digests(outbox).isEmpty() && Trees.digests(inbox).size() >= expected.size());
            assertThat(Trees.digests(inbox)).isEqualTo(expected);
            assertThat(serverAgent.log()).contains("protocols=cp2,plain seed-protocol=cp2");
            assertThat(count(serverAgent.log(), "server listening")).as("started once, then once more").isEqualTo(2);
            assertThat(count(clientAgent.log(), "client watching")).as("started once, then once more").isEqualTo(2);
        }
    }

    @Test
    void sighupAppliesAnEditOfAFileThatIsNotWatched() throws Exception {
        int port = Ports.free();
        Path outbox = Files.createDirectories(dir.resolve("outbox"));
        Map<String, String> server = new LinkedHashMap<>(Map.of("ferry.security.protocol", "plain",
                "ferry.server.host", "127.0.0.1", "ferry.server.port", Integer.toString(port),
                "ferry.server.inbox", dir.resolve("inbox").toString(), "ferry.config.watch", "false"));
        Map<String, String> client = Map.of("ferry.security.protocol", "plain",
                "ferry.client.server-port", Integer.toString(port), "ferry.client.outbox", outbox.toString(),
                "ferry.client.settle-time", "200ms", "ferry.client.retry.initial", "100ms",
                "ferry.client.retry.max", "1s");
        Path serverConf = dir.resolve("server.conf");

        try (AgentProcess serverAgent = start("server", serverConf, server,
                     "is not watched (ferry.config.watch = false)");
             AgentProcess clientAgent = start("client", dir.resolve("client.conf"), client, "client watching")) {
            server.put("ferry.server.inbox", dir.resolve("inbox2").toString());
            writeConfig(serverConf, server);

            serverAgent.hangUp();

            serverAgent.awaitLog("received SIGHUP", START)
                    .awaitLog("changed=ferry.server.inbox (" + dir.resolve("inbox") + " -> " + dir.resolve("inbox2")
                            + ") restarted=server", START);
            String digest = Trees.write(outbox.resolve("after-reload.bin"), 100_000, 7);
            await().atMost(FLOW).until(() -> Trees.digests(dir.resolve("inbox2")).equals(
                    Map.of("after-reload.bin", digest)));
            clientAgent.awaitLog("delivered file=after-reload.bin", START);
            assertThat(Trees.digests(dir.resolve("inbox"))).isEmpty();
        }
    }

    @Test
    void anAgentStartedUnderNohupSaysThatSighupCannotReloadIt() throws Exception {
        Path serverConf = dir.resolve("server.conf");
        writeConfig(serverConf, Map.of("ferry.security.protocol", "plain", "ferry.server.host", "127.0.0.1",
                "ferry.server.port", "0", "ferry.server.inbox", dir.resolve("inbox").toString()));

        try (AgentProcess serverAgent = AgentProcess.startUnderNohup(dir.resolve("run"),
                List.of("server", "--config", serverConf.toString()))) {
            serverAgent.awaitLog("server listening", START);

            assertThat(serverAgent.log()).contains("WARN", "SIGHUP is ignored by this process",
                    "keep ferry.config.watch on");
        }
    }
}

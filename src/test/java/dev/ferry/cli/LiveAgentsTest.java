package dev.ferry.cli;

import ch.qos.logback.classic.Level;
import dev.ferry.config.FerrySettings;
import dev.ferry.config.SettingsChanges;
import dev.ferry.metrics.Metrics;
import dev.ferry.security.PluginRegistry;
import dev.ferry.security.SecuritySetupException;
import dev.ferry.testing.LogLines;
import dev.ferry.testing.TestPki;
import dev.ferry.testing.TestSettings;
import dev.ferry.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class LiveAgentsTest {
    private static final PluginRegistry PLUGINS = PluginRegistry.load(null);

    @TempDir
    Path dir;

    private final List<String> events = new ArrayList<>();

    /** An agent that only records what is done to it; it may refuse settings or fail to start. */
    private final class FakePart implements LiveAgents.Part {
        private final String role;
        private final Predicate<String> concerns;
        private boolean refuse;
        private int startFailures;

        FakePart(String role, Predicate<String> concerns) {
            this.role = role;
            this.concerns = concerns;
        }

        @Override
        public String role() {
            return role;
        }

        @Override
        public boolean concerns(String key) {
            return concerns.test(key);
        }

        @Override
        public LiveAgents.Staged stage(FerrySettings settings, PluginRegistry registry)
                throws SecuritySetupException {
            if (refuse) {
                throw new SecuritySetupException("ferry.security.server-key: no such file certs/missing.key");
            }
            String settle = settings.config().getString("ferry.client.settle-time");
            return () -> {
                if (startFailures > 0) {
                    startFailures--;
                    throw new IOException("cannot listen on 127.0.0.1:4321: Address already in use");
                }
                events.add(role + " start settle-time=" + settle);
            };
        }

        @Override
        public void stop() {
            events.add(role + " stop");
        }
    }

    private static List<String> messages(LogLines log, Level level) {
        return log.lines().stream().filter(line -> line.level() == level).map(LogLines.Line::message).toList();
    }

    @Test
    void startsAgainOnlyTheAgentWhoseSettingsChanged() throws Exception {
        FakePart server = new FakePart("server", Agents::serverKey);
        FakePart client = new FakePart("client", Agents::clientKey);
        try (LiveAgents agents = new LiveAgents(List.of(server, client)); LogLines log = LogLines.capture()) {
            agents.start(TestSettings.load("ferry.client.settle-time", "1s"), PLUGINS);
            events.clear();

            SettingsChanges changes = agents.apply(TestSettings.load("ferry.client.settle-time", "2s"));

            assertThat(events).containsExactly("client stop", "client start settle-time=2s");
            assertThat(changes.toString()).isEqualTo("ferry.client.settle-time (1s -> 2s)");
            assertThat(messages(log, Level.INFO)).anyMatch(m -> m.startsWith("config reloaded file=defaults")
                    && m.endsWith("changed=ferry.client.settle-time (1s -> 2s) restarted=client"));
        }
    }

    @Test
    void aChangeBothAgentsDependOnStopsTheClientFirstAndStartsTheServerFirst() throws Exception {
        FakePart server = new FakePart("server", Agents::serverKey);
        FakePart client = new FakePart("client", Agents::clientKey);
        try (LiveAgents agents = new LiveAgents(List.of(server, client))) {
            agents.start(TestSettings.load(), PLUGINS);
            events.clear();

            agents.apply(TestSettings.load("ferry.security.min-rsa-bits", "3072"));

            assertThat(events).containsExactly("client stop", "server stop", "server start settle-time=1s",
                    "client start settle-time=1s");
        }
    }

    @Test
    void aCertificateRenewedAtTheSamePathStartsTheAgentsThatUseItAgain() throws Exception {
        Path ca = dir.resolve("ca.crt");
        Files.writeString(ca, "the first certificate");
        FerrySettings settings = TestSettings.load("ferry.security.ca-cert", ca.toString());
        FakePart server = new FakePart("server", Agents::serverKey);
        FakePart client = new FakePart("client", Agents::clientKey);
        try (LiveAgents agents = new LiveAgents(List.of(server, client)); LogLines log = LogLines.capture()) {
            agents.start(settings, PLUGINS);
            events.clear();
            Files.writeString(ca, "the renewed certificate");

            SettingsChanges changes = agents.apply(TestSettings.load("ferry.security.ca-cert", ca.toString()));
            SettingsChanges again = agents.apply(TestSettings.load("ferry.security.ca-cert", ca.toString()));

            assertThat(changes.toString()).isEqualTo("ferry.security.ca-cert (file content changed)");
            assertThat(events).containsExactly("client stop", "server stop", "server start settle-time=1s",
                    "client start settle-time=1s");
            assertThat(again.isEmpty()).as("the renewed file is now the running one").isTrue();
        }
    }

    @Test
    void settingsWithoutChangeStartNothingAgain() throws Exception {
        FakePart client = new FakePart("client", Agents::clientKey);
        try (LiveAgents agents = new LiveAgents(List.of(client)); LogLines log = LogLines.capture()) {
            agents.start(TestSettings.load(), PLUGINS);
            events.clear();

            SettingsChanges changes = agents.apply(TestSettings.load());

            assertThat(changes.isEmpty()).isTrue();
            assertThat(events).isEmpty();
            assertThat(messages(log, Level.INFO)).contains("config unchanged file=defaults; the agents keep running");
        }
    }

    @Test
    void settingsTheNewAgentCannotUseAreRefusedBeforeAnythingStops() throws Exception {
        FakePart client = new FakePart("client", Agents::clientKey);
        try (LiveAgents agents = new LiveAgents(List.of(client)); LogLines log = LogLines.capture()) {
            FerrySettings running = TestSettings.load();
            agents.start(running, PLUGINS);
            events.clear();
            client.refuse = true;

            SettingsChanges changes = agents.apply(TestSettings.load("ferry.security.protocol", "cp2"));

            assertThat(changes.isEmpty()).isTrue();
            assertThat(events).isEmpty();
            assertThat(agents.running()).isSameAs(running);
            assertThat(messages(log, Level.WARN)).anyMatch(m -> m.contains("config not applied file=defaults")
                    && m.contains("ferry.security.server-key: no such file")
                    && m.contains("the running settings stay in force"));
        }
    }

    @Test
    void goesBackToTheRunningSettingsWhenTheNewAgentCannotStart() throws Exception {
        FakePart client = new FakePart("client", Agents::clientKey);
        try (LiveAgents agents = new LiveAgents(List.of(client)); LogLines log = LogLines.capture()) {
            FerrySettings running = TestSettings.load("ferry.client.settle-time", "1s");
            agents.start(running, PLUGINS);
            events.clear();
            client.startFailures = 1;

            agents.apply(TestSettings.load("ferry.client.settle-time", "5s"));

            assertThat(events).containsExactly("client stop", "client start settle-time=1s");
            assertThat(agents.running()).isSameAs(running);
            assertThat(agents.failed().getCount()).isEqualTo(1);
            assertThat(messages(log, Level.ERROR)).anyMatch(m -> m.contains("Address already in use")
                    && m.contains("starting again with the running settings"));
        }
    }

    @Test
    void givesUpWhenNeitherTheNewNorTheRunningSettingsStart() throws Exception {
        FakePart client = new FakePart("client", Agents::clientKey);
        try (LiveAgents agents = new LiveAgents(List.of(client))) {
            agents.start(TestSettings.load(), PLUGINS);
            client.startFailures = 2;

            agents.apply(TestSettings.load("ferry.client.settle-time", "5s"));

            assertThat(agents.failed().getCount()).isZero();
        }
    }

    @Test
    void metricsSettingsTakeEffectAtTheNextRestartWithAWarning() throws Exception {
        FakePart server = new FakePart("server", Agents::serverKey);
        FakePart client = new FakePart("client", Agents::clientKey);
        try (LiveAgents agents = new LiveAgents(List.of(server, client)); LogLines log = LogLines.capture()) {
            agents.start(TestSettings.load(), PLUGINS);
            events.clear();

            agents.apply(TestSettings.load("ferry.metrics.port", "9999"));

            assertThat(events).isEmpty();
            assertThat(messages(log, Level.WARN)).contains("setting ferry.metrics.port changed in file=defaults: it"
                    + " takes effect at the next restart");
            assertThat(messages(log, Level.INFO)).anyMatch(m -> m.endsWith("restarted=none"));
        }
    }

    @Test
    void aServerEditPointingAtAMissingKeyIsRefusedWhileTheServerKeepsServing() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("certs"));
        String[] common = {"ferry.server.host", "127.0.0.1", "ferry.server.port", "0",
                "ferry.server.inbox", dir.resolve("inbox").toString()};
        try (Metrics metrics = Metrics.start(TestSettings.load().metrics()); LogLines log = LogLines.capture()) {
            Agents.ServerPart server = new Agents.ServerPart(metrics, FerrySettings::server);
            try (LiveAgents agents = new LiveAgents(List.of(server))) {
                agents.start(TestSettings.load(TestPki.join(common, pki.settings("plain"))), PLUGINS);
                int port = server.port();

                agents.apply(TestSettings.load(TestPki.join(common, pki.settings("cp2"),
                        new String[] {"ferry.security.server-key", dir.resolve("certs/missing.key").toString()})));

                assertThat(messages(log, Level.WARN)).anyMatch(m -> m.contains("config not applied")
                        && m.contains("missing.key"));
                assertThat(server.port()).isEqualTo(port);
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                }
                assertThat(messages(log, Level.INFO)).noneMatch(m -> m.contains("server stopped"));
            }
        }
    }

    @Test
    void ferryLocalStartsBothAgentsAgainAndTheClientFollowsTheServer() throws Exception {
        Path outbox = dir.resolve("outbox");
        String[] common = {"ferry.server.port", "0", "ferry.client.outbox", outbox.toString(),
                "ferry.client.settle-time", "100ms", "ferry.client.retry.initial", "50ms",
                "ferry.client.retry.max", "500ms"};
        try (Metrics metrics = Metrics.start(TestSettings.load().metrics());
             LiveAgents agents = new LiveAgents(LocalCommand.parts(metrics))) {
            agents.start(TestSettings.load(TestPki.join(common,
                    new String[] {"ferry.server.inbox", dir.resolve("inbox1").toString()})), PLUGINS);
            String first = Trees.write(outbox.resolve("first.bin"), 10_000, 1);
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    Trees.digests(dir.resolve("inbox1")).equals(Map.of("first.bin", first)));

            agents.apply(TestSettings.load(TestPki.join(common,
                    new String[] {"ferry.server.inbox", dir.resolve("inbox2").toString()})));
            String second = Trees.write(outbox.resolve("second.bin"), 10_000, 2);

            await().atMost(Duration.ofSeconds(30)).until(() ->
                    Trees.digests(dir.resolve("inbox2")).equals(Map.of("second.bin", second)));
            assertThat(Trees.digests(dir.resolve("inbox1"))).isEqualTo(Map.of("first.bin", first));
        }
    }
}

package dev.ferry.cli;

import ch.qos.logback.classic.Level;
import dev.ferry.config.FerrySettings;
import dev.ferry.config.SettingsException;
import dev.ferry.security.PluginRegistry;
import dev.ferry.testing.LogLines;
import dev.ferry.testing.TestSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ReloadsTest {
    private static final Duration AT_MOST = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final AtomicInteger loads = new AtomicInteger();

    private static LiveAgents agents(FerrySettings settings) throws Exception {
        LiveAgents agents = new LiveAgents(List.of());
        agents.start(settings, PluginRegistry.load(null));
        return agents;
    }

    private static boolean logged(LogLines log, Level level, String... fragments) {
        return log.lines().stream().anyMatch(line -> line.level() == level
                && List.of(fragments).stream().allMatch(line.message()::contains));
    }

    /** Lets a loader wait; the loader's interface allows only SettingsException. */
    private static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test did not release the loader within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Test
    void aRequestDuringAReloadQueuesOneMoreAndFurtherRequestsMergeIntoIt() throws Exception {
        FerrySettings settings = TestSettings.load();
        CountDownLatch firstLoadMayEnd = new CountDownLatch(1);
        Reloads.Loader loader = () -> {
            if (loads.incrementAndGet() == 1) {
                awaitLatch(firstLoadMayEnd);
            }
            return settings;
        };
        try (LiveAgents agents = agents(settings); Reloads reloads = new Reloads(loader, null, agents)) {
            reloads.start();
            reloads.request("SIGHUP");
            await().atMost(AT_MOST).until(() -> loads.get() == 1);

            reloads.request("SIGHUP");
            reloads.request("SIGHUP");
            reloads.request("file changed");
            firstLoadMayEnd.countDown();

            await().atMost(AT_MOST).until(() -> loads.get() >= 2);
            await().during(Duration.ofMillis(500)).atMost(AT_MOST).until(() -> loads.get() == 2);
        }
    }

    @Test
    void anInvalidConfigurationIsLoggedWithItsReasonAndChangesNothing() throws Exception {
        FerrySettings settings = TestSettings.load();
        Reloads.Loader loader = () -> {
            loads.incrementAndGet();
            throw new SettingsException("conf/ferry.conf: 3: ferry.client.settle-time = \"soon\": must be a duration"
                    + " such as 500ms, 10s or 5m");
        };
        try (LogLines log = LogLines.capture(); LiveAgents agents = agents(settings);
             Reloads reloads = new Reloads(loader, null, agents)) {
            reloads.start();

            reloads.request("SIGHUP");

            await().atMost(AT_MOST).until(() -> logged(log, Level.WARN, "config not applied (SIGHUP)",
                    "conf/ferry.conf: 3: ferry.client.settle-time = \"soon\": must be a duration",
                    "the running settings stay in force"));
            assertThat(agents.running()).isSameAs(settings);
        }
    }

    @Test
    void aConfigurationFileThatIsGoneIsReportedAndNotReplacedByTheDefaults() throws Exception {
        Path file = dir.resolve("ferry.conf");
        Files.writeString(file, "ferry.client.settle-time = 2s\n");
        FerrySettings settings = TestSettings.load("ferry.client.settle-time", "2s");
        Reloads.Loader loader = () -> {
            loads.incrementAndGet();
            return TestSettings.load();
        };
        try (LogLines log = LogLines.capture(); LiveAgents agents = agents(settings);
             Reloads reloads = new Reloads(loader, file, agents)) {
            reloads.start();
            Files.delete(file);

            reloads.request("SIGHUP");

            await().atMost(AT_MOST).until(() -> logged(log, Level.WARN, "config not reloaded (SIGHUP)", "is gone",
                    "the running settings stay in force"));
            assertThat(loads.get()).isZero();
            assertThat(agents.running()).isSameAs(settings);
        }
    }

    @Test
    void aSavedEditOfTheWatchedFileIsApplied() throws Exception {
        Path file = dir.resolve("ferry.conf");
        Files.writeString(file, "ferry.client.settle-time = 1s\n");
        FerrySettings settings = TestSettings.load("ferry.config.reload-debounce", "100ms");
        Reloads.Loader loader = () -> {
            loads.incrementAndGet();
            return TestSettings.load("ferry.config.reload-debounce", "100ms", "ferry.client.settle-time", "2s");
        };
        try (LogLines log = LogLines.capture(); LiveAgents agents = agents(settings);
             Reloads reloads = new Reloads(loader, file, agents)) {
            reloads.start();

            Files.writeString(file, "ferry.client.settle-time = 2s\n");

            await().atMost(AT_MOST).until(() -> logged(log, Level.INFO, "config reloaded",
                    "ferry.client.settle-time (1s -> 2s)"));
            assertThat(loads.get()).isEqualTo(1);
        }
    }
}

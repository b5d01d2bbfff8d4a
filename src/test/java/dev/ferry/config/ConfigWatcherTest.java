package dev.ferry.config;

import ch.qos.logback.classic.Level;
import dev.ferry.testing.LogLines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ConfigWatcherTest {
    private static final Duration DEBOUNCE = Duration.ofMillis(300);
    private static final Duration AT_MOST = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final AtomicInteger changes = new AtomicInteger();

    private Path config(String content) throws IOException {
        Path file = dir.resolve("ferry.conf");
        Files.writeString(file, content);
        return file;
    }

    /** Waits until {@code expected} changes were reported and no more arrive for a few debounce periods. */
    private void assertChangesSettleAt(int expected) {
        await().atMost(AT_MOST).until(() -> changes.get() >= expected);
        await().during(DEBOUNCE.multipliedBy(4)).atMost(AT_MOST).until(() -> changes.get() == expected);
    }

    @Test
    void reportsABurstOfWritesOnceAfterTheDebounce() throws Exception {
        Path file = config("ferry.client.settle-time = 1s\n");

        try (ConfigWatcher watcher = ConfigWatcher.start(file, DEBOUNCE, changes::incrementAndGet)) {
            for (int i = 0; i < 20; i++) {
                Files.writeString(file, "ferry.client.settle-time = " + (i + 2) + "s\n");
            }

            assertChangesSettleAt(1);
        }
    }

    @Test
    void seesAnEditorThatSavesByWritingANewFileAndRenamingIt() throws Exception {
        Path file = config("ferry.security.protocol = plain\n");

        try (ConfigWatcher watcher = ConfigWatcher.start(file, DEBOUNCE, changes::incrementAndGet)) {
            Path swap = dir.resolve(".ferry.conf.swp");
            Files.writeString(swap, "ferry.security.protocol = cp2\n");
            Files.move(swap, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

            assertChangesSettleAt(1);
            Files.writeString(swap, "ferry.security.protocol = ap\n");
            Files.move(swap, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            assertChangesSettleAt(2);
        }
    }

    @Test
    void ignoresATouchAndASaveWithoutChange() throws Exception {
        String content = "ferry.client.outbox = outbox\n";
        Path file = config(content);

        try (ConfigWatcher watcher = ConfigWatcher.start(file, DEBOUNCE, changes::incrementAndGet)) {
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
            Files.writeString(file, content);
            Path swap = dir.resolve("ferry.conf.new");
            Files.writeString(swap, content);
            Files.move(swap, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

            assertChangesSettleAt(0);
            // The watcher is alive: a real change is reported.
            Files.writeString(file, "ferry.client.outbox = elsewhere\n");
            assertChangesSettleAt(1);
        }
    }

    @Test
    void ignoresOtherFilesInTheFolder() throws Exception {
        Path file = config("ferry.client.outbox = outbox\n");

        try (ConfigWatcher watcher = ConfigWatcher.start(file, DEBOUNCE, changes::incrementAndGet)) {
            Files.writeString(dir.resolve("logback.xml"), "<configuration/>");
            Files.writeString(dir.resolve("other.conf"), "x = 1");

            assertChangesSettleAt(0);
        }
    }

    @Test
    void keepsWatchingWithAWarningWhenTheFileIsDeletedAndSeesItComeBack() throws Exception {
        Path file = config("ferry.client.outbox = outbox\n");

        try (LogLines log = LogLines.capture();
             ConfigWatcher watcher = ConfigWatcher.start(file, DEBOUNCE, changes::incrementAndGet)) {
            Files.delete(file);

            await().atMost(AT_MOST).until(() -> log.lines().stream().anyMatch(line ->
                    line.level() == Level.WARN && line.message().contains("is gone")
                            && line.message().contains("the running settings stay in force")));
            assertChangesSettleAt(0);
            Files.writeString(file, "ferry.client.outbox = elsewhere\n");
            assertChangesSettleAt(1);
        }
    }

    @Test
    void followsASymbolicLinkToItsTarget() throws Exception {
        Path real = Files.createDirectories(dir.resolve("etc-real")).resolve("ferry.conf");
        Files.writeString(real, "ferry.client.outbox = outbox\n");
        Path link = Files.createDirectories(dir.resolve("etc")).resolve("ferry.conf");
        Files.createSymbolicLink(link, real);

        try (ConfigWatcher watcher = ConfigWatcher.start(link, DEBOUNCE, changes::incrementAndGet)) {
            Files.writeString(real, "ferry.client.outbox = elsewhere\n");

            assertChangesSettleAt(1);
        }
    }

    @Test
    void callsNothingAfterClose() throws Exception {
        Path file = config("ferry.client.outbox = outbox\n");
        ConfigWatcher watcher = ConfigWatcher.start(file, DEBOUNCE, changes::incrementAndGet);

        watcher.close();
        Files.writeString(file, "ferry.client.outbox = elsewhere\n");

        assertChangesSettleAt(0);
    }
}

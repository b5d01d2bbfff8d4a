package dev.ferry.e2e;

import ch.qos.logback.classic.Level;
import dev.ferry.client.ClientAgent;
import dev.ferry.client.OutboxWatcher;
import dev.ferry.config.FerrySettings;
import dev.ferry.server.ServerAgent;
import dev.ferry.testing.Clients;
import dev.ferry.testing.LogLines;
import dev.ferry.testing.Ports;
import dev.ferry.testing.Servers;
import dev.ferry.testing.SpecialFiles;
import dev.ferry.testing.TestSettings;
import dev.ferry.testing.Trees;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * FIFOs and character devices in the outbox, at its top and in a folder made while the client
 * runs: skipped with one warning each, never opened, never blocking the watcher, while the regular
 * files around them are delivered. Opening a FIFO for reading would block until a writer came; a
 * thread of this test waits to open each FIFO for writing, which succeeds only once something
 * opens it for reading, so an open by the client is certain to be seen. Opens of the device are
 * looked for in this JVM's open descriptors every 2 ms (a sample: a brief open could slip through).
 */
class OutboxSpecialFilesTest {
    private static final String OUTBOX_LOGGER = OutboxWatcher.class.getName();

    @TempDir
    Path dir;


    @Test
    void skipsFifosAndDevicesWithoutOpeningThemWhileTheOtherFilesFlow() throws Exception {
        Path outbox = Files.createDirectories(dir.resolve("outbox"));
        Path inbox = dir.resolve("inbox");
        Path fifo = outbox.resolve("pipe");
        Path device = outbox.resolve("null-device");
        Assumptions.assumeTrue(SpecialFiles.mkfifo(fifo), "mkfifo is not available");
        Assumptions.assumeTrue(SpecialFiles.mknodNull(device), "mknod is not possible here (it needs root or CAP_MKNOD)");
        Map<String, String> expected = new TreeMap<>();
        expected.put("before.bin", Trees.write(outbox.resolve("before.bin"), 100_000, 1));
        int port = Ports.free();
        FerrySettings settings = TestSettings.load("ferry.server.host", "127.0.0.1",
                "ferry.server.port", Integer.toString(port), "ferry.server.inbox", inbox.toString(),
                "ferry.client.server-port", Integer.toString(port), "ferry.client.outbox", outbox.toString(),
                "ferry.client.settle-time", "200ms", "ferry.client.rescan-interval", "1s");
        Path later = outbox.resolve("later");
        Path laterFifo = later.resolve("pipe");
        Path laterDevice = later.resolve("null-device");

        try (LogLines log = LogLines.capture();
             FifoOpenProbe fifoProbe = new FifoOpenProbe();
             DescriptorProbe descriptorProbe = new DescriptorProbe(Set.of(device, laterDevice, fifo, laterFifo))) {
            fifoProbe.watch(fifo);
            try (ServerAgent server = Servers.start(settings);
                 ClientAgent client = Clients.start(settings)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(inbox.resolve("before.bin")));
                Files.createDirectories(later);
                assertThat(SpecialFiles.mkfifo(laterFifo)).isTrue();
                assertThat(SpecialFiles.mknodNull(laterDevice)).isTrue();
                fifoProbe.watch(laterFifo);
                expected.put("later/after.bin", Trees.write(later.resolve("after.bin"), 200_000, 2));
                expected.put("top.bin", Trees.write(outbox.resolve("top.bin"), 3_000, 3));

                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                    assertThat(Trees.digests(inbox)).isEqualTo(expected);
                    assertThat(Trees.digests(outbox)).isEmpty();
                });
                // Rescans every second: the special files are looked at again and again, and warned about once.
                await().atMost(Duration.ofSeconds(10)).until(() -> log.of(Level.WARN, OUTBOX_LOGGER).stream()
                        .anyMatch(line -> line.contains("skipped path=" + laterDevice + " ")));
            }

            assertThat(descriptorProbe.seen()).as("special files open in this JVM").isEmpty();
            assertThat(fifoProbe.opened()).as("FIFOs opened for reading").isEmpty();
            for (Path path : List.of(fifo, device, laterFifo, laterDevice)) {
                assertThat(log.of(Level.WARN, OUTBOX_LOGGER)).filteredOn(line -> line.contains("skipped path=" + path + " "))
                        .singleElement().asString().contains("not a regular file");
                assertThat(path).exists();
            }
            assertThat(inbox.resolve("pipe")).doesNotExist();
            assertThat(inbox.resolve("null-device")).doesNotExist();
            assertThat(inbox.resolve("later/pipe")).doesNotExist();
            assertThat(inbox.resolve("later/null-device")).doesNotExist();
        }
    }

    /**
     * Threads that each wait to open a FIFO for writing, which the kernel lets happen only once
     * something has it open for reading. Closing releases any still waiting by opening the FIFO
     * for reading itself.
     */
    private static final class FifoOpenProbe implements AutoCloseable {
        private final Map<Path, Thread> waiting = new ConcurrentHashMap<>();
        private final Set<Path> opened = ConcurrentHashMap.newKeySet();

        void watch(Path fifo) throws InterruptedException {
            CountDownLatch started = new CountDownLatch(1);
            Thread thread = new Thread(() -> {
                started.countDown();
                try (FileOutputStream out = new FileOutputStream(fifo.toFile())) {
                    opened.add(fifo);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, "fifo-probe-" + fifo.getFileName());
            thread.setDaemon(true);
            waiting.put(fifo, thread);
            thread.start();
            started.await();
        }

        Set<Path> opened() {
            return Set.copyOf(opened);
        }

        @Override
        public void close() throws Exception {
            for (Map.Entry<Path, Thread> entry : waiting.entrySet()) {
                if (entry.getValue().isAlive()) {
                    try (FileInputStream release = new FileInputStream(entry.getKey().toFile())) {
                        entry.getValue().join(5_000);
                    }
                }
            }
        }
    }

    /** Looks through /proc/self/fd every 2 ms for a descriptor open on one of the given paths. */
    private static final class DescriptorProbe implements AutoCloseable {
        private final Set<Path> watched;
        private final Set<Path> seen = ConcurrentHashMap.newKeySet();
        private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();

        DescriptorProbe(Set<Path> watched) {
            this.watched = watched;
            Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "no /proc/self/fd here");
            sampler.scheduleAtFixedRate(this::sample, 0, 2, TimeUnit.MILLISECONDS);
        }

        private void sample() {
            try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
                descriptors.forEach(fd -> {
                    try {
                        Path target = Files.readSymbolicLink(fd);
                        if (watched.contains(target)) {
                            seen.add(target);
                        }
                    } catch (IOException | UnsupportedOperationException e) {
                        // closed meanwhile
                    }
                });
            } catch (IOException e) {
                // the listing raced with a close; the next sample looks again
            }
        }

        Set<Path> seen() {
            return Set.copyOf(seen);
        }

        @Override
        public void close() throws InterruptedException {
            sampler.shutdownNow();
            sampler.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}

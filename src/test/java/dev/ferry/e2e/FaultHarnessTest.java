package dev.ferry.e2e;

import dev.ferry.testing.AgentProcess;
import dev.ferry.testing.Ports;
import dev.ferry.testing.TestPki;
import dev.ferry.testing.Trees;
import dev.ferry.transfer.KillPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Both agents as separate JVMs under cp2, killed again and again while files of 0 B to 20 MiB
 * flow: each cycle either SIGKILLs one agent at a random moment and restarts it, or restarts one
 * with a {@link KillPoint} armed, waits until it halts there by itself, and restarts it normally.
 * The first cycles go through every kill point once. Whenever the outbox has emptied, the wave of
 * files just delivered is checked (each file in the inbox exactly once with its SHA-256, nothing
 * else), removed from the inbox, and a new wave under new names is dropped (a tenth as many files,
 * soak.wave-files), so files flow during every cycle of a long run. At the end the last wave is
 * checked the same way and no temporary or partial file may be left. {@code bench/soak.sh} runs
 * the same for many more cycles (system properties soak.cycles, soak.files, soak.seed).
 */
class FaultHarnessTest {
    private static final Logger log = LoggerFactory.getLogger(FaultHarnessTest.class);

    /** How long an agent armed with a kill point may take to reach it before it is killed anyway. */
    private static final Duration POINT_DEADLINE = Duration.ofSeconds(60);
    private static final Duration START_DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dir;


    @Test
    void everyFileArrivesExactlyOnceWhileBothAgentsAreKilledAgainAndAgain() throws Exception {
        int cycles = Integer.getInteger("soak.cycles", 30);
        int fileCount = Integer.getInteger("soak.files", 300);
        int waveFiles = Integer.getInteger("soak.wave-files", Math.max(1, fileCount / 10));
        long seed = Long.getLong("soak.seed", System.nanoTime());
        log.info("fault harness cycles={} files={} wave-files={} seed={}", cycles, fileCount, waveFiles, seed);
        Random random = new Random(seed);
        TestPki pki = TestPki.create(dir.resolve("certs"));
        int port = Ports.free();
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
        Agents agents = new Agents(dir.resolve("run"), settings.toArray(String[]::new));
        Waves waves = new Waves(outbox, dir.resolve("staging"), inbox, fileCount, waveFiles, seed);
        waves.dropFirst();
        KillPoint[] points = KillPoint.values();

        agents.startBoth();
        ScheduledExecutorService dropper = Executors.newSingleThreadScheduledExecutor();
        try {
            dropper.scheduleWithFixedDelay(waves::dropNextWhenEmpty, 200, 200, TimeUnit.MILLISECONDS);
            for (int cycle = 0; cycle < cycles; cycle++) {
                Thread.sleep(100 + random.nextInt(900)); // the fault's timing is the test's random input
                // Every point once first, so that a 30-cycle run is certain to hit each; then a
                // quarter of the cycles take a point at random (a point cycle starts the agent twice).
                KillPoint point = cycle < points.length ? points[cycle]
                        : random.nextInt(4) == 0 ? points[random.nextInt(points.length)] : null;
                boolean server = point == null ? random.nextBoolean() : point != KillPoint.CLIENT_BEFORE_DELETE;
                long start = System.nanoTime();
                if (point == null) {
                    agents.killAndRestart(server);
                } else {
                    // After some DATA: a random number of blocks, so that it lands in different files.
                    int hit = point == KillPoint.SERVER_MID_STREAM ? 1 + random.nextInt(16) : 1;
                    agents.killAtPointAndRestart(server, point, hit);
                }
                log.info("harness cycle={} agent={} point={} ms={}", cycle, server ? "server" : "client",
                        point == null ? "random" : point.id(), (System.nanoTime() - start) / 1_000_000);
            }
            dropper.shutdown(); // lets a wave being dropped finish, so the last check knows its files
            assertThat(dropper.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
            long drain = System.nanoTime();
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500)).until(() ->
                    Waves.isEmpty(outbox) && Trees.digests(inbox).size() >= waves.expectedCount());
            waves.check();
            log.info("harness drained ms={}", (System.nanoTime() - drain) / 1_000_000);

            log.info("fault harness done cycles={} server-kills={} client-kills={} kill-points={} kill-points-missed={}"
                    + " waves={} files={} lost={} duplicates={} corrupt={} leftovers={}", cycles, agents.serverKills,
                    agents.clientKills, agents.pointsShown(), agents.missed, waves.count, waves.files, waves.lost,
                    waves.extra, waves.corrupt, Trees.workFiles(inbox).size());
            assertThat(waves.problems).as("seed %d", seed).isEmpty();
            assertThat(Trees.workFiles(inbox)).as("temporary or partial files left, seed %d", seed).isEmpty();
            if (cycles >= points.length) {
                assertThat(agents.hits).as("kill points reached, seed %d", seed).hasSize(points.length);
            }
        } finally {
            dropper.shutdownNow();
            agents.close();
        }
    }

    /** The two agent processes, with the kills done to them. */
    private static final class Agents implements AutoCloseable {
        private final Path workDir;
        private final String[] settings;
        private final Map<KillPoint, Integer> hits = new EnumMap<>(KillPoint.class);
        private AgentProcess server;
        private AgentProcess client;
        private int serverKills;
        private int clientKills;
        private int missed;

        Agents(Path workDir, String[] settings) {
            this.workDir = workDir;
            this.settings = settings;
        }

        void startBoth() throws IOException {
            server = start(true, List.of());
            client = start(false, List.of());
        }

        private AgentProcess start(boolean isServer, List<String> options) throws IOException {
            List<String> jvm = new ArrayList<>(List.of("-Xmx256m"));
            jvm.addAll(options);
            AgentProcess agent = AgentProcess.start(workDir, isServer ? "server" : "client", jvm, settings);
            return options.isEmpty()
                    ? agent.awaitLog(isServer ? "server listening" : "client watching", START_DEADLINE) : agent;
        }

        void killAndRestart(boolean isServer) throws Exception {
            kill(isServer);
            set(isServer, start(isServer, List.of()));
        }

        /**
         * Kills the agent, starts it with {@code point} armed and waits until it halts there; one
         * that does not reach the point in time (nothing flows) is killed anyway and counted missed.
         */
        void killAtPointAndRestart(boolean isServer, KillPoint point, int hit) throws Exception {
            kill(isServer);
            AgentProcess armed = start(isServer, List.of("-D" + KillPoint.PROPERTY + "=" + point.id() + "#" + hit));
            set(isServer, armed);
            OptionalInt status = armed.awaitExit(POINT_DEADLINE);
            if (status.isPresent() && status.getAsInt() == KillPoint.EXIT_STATUS
                    && armed.log().contains("kill point reached: " + point.id())) {
                hits.merge(point, 1, Integer::sum);
            } else if (status.isPresent()) {
                throw new IllegalStateException("agent armed at " + point.id() + " exited with " + status.getAsInt()
                        + ":\n" + armed.log());
            } else {
                log.warn("kill point not reached point={} within={}; killed anyway", point.id(), POINT_DEADLINE);
                armed.kill();
                missed++;
            }
            set(isServer, start(isServer, List.of()));
        }

        private void kill(boolean isServer) throws InterruptedException {
            if (isServer) {
                server.kill();
                serverKills++;
            } else {
                client.kill();
                clientKills++;
            }
        }

        private void set(boolean isServer, AgentProcess agent) {
            if (isServer) {
                server = agent;
            } else {
                client = agent;
            }
        }

        String pointsShown() {
            return Stream.of(KillPoint.values()).map(p -> p.id() + ":" + hits.getOrDefault(p, 0))
                    .collect(Collectors.joining(",", "{", "}"));
        }

        @Override
        public void close() throws InterruptedException {
            if (server != null) {
                server.close();
            }
            if (client != null) {
                client.close();
            }
        }
    }

    /**
     * The files dropped into the outbox, one wave at a time: the first at the outbox's top, each
     * later one under a new folder {@code wave-<n>/}, written aside and renamed into the outbox in
     * one step so the client never sees a file half-written. A checked wave is removed from the
     * inbox, so a long run does not fill the disk; a file of it that came back would be counted
     * as a duplicate by the next check.
     */
    private static final class Waves {
        private final Path outbox;
        private final Path staging;
        private final Path inbox;
        private final int fileCount;
        private final int waveFiles;
        private final long seed;
        private Map<String, String> expected = new TreeMap<>();
        private final List<String> problems = new ArrayList<>();
        private int count;
        private long files;
        private long lost;
        private long extra;
        private long corrupt;

        Waves(Path outbox, Path staging, Path inbox, int fileCount, int waveFiles, long seed) {
            this.outbox = outbox;
            this.staging = staging;
            this.inbox = inbox;
            this.fileCount = fileCount;
            this.waveFiles = waveFiles;
            this.seed = seed;
        }

        synchronized int expectedCount() {
            return expected.size();
        }

        synchronized void dropFirst() throws IOException {
            write(outbox, "", fileCount);
        }

        /**
         * Run every 200 ms while the cycles last: once the outbox has emptied, checks the wave just
         * delivered, removes it from the inbox and drops the next.
         */
        synchronized void dropNextWhenEmpty() {
            if (!isEmpty(outbox)) {
                return;
            }
            try {
                check();
                for (String name : expected.keySet()) {
                    Files.deleteIfExists(inbox.resolve(name));
                }
                String folder = "wave-" + (count + 1);
                write(staging.resolve(folder), folder + "/", waveFiles);
                Files.createDirectories(outbox);
                Files.move(staging.resolve(folder), outbox.resolve(folder), StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                problems.add("wave " + (count + 1) + " not dropped: " + e);
                throw new IllegalStateException(e); // ends the dropper; the final check reports it
            }
        }

        private void write(Path root, String prefix, int n) throws IOException {
            Random random = new Random(seed + count);
            expected = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                String name = (i % 3 == 0 ? "deep/er/" : i % 3 == 1 ? "flat/" : "") + "file-" + i + ".bin";
                long size = i % 10 == 0 ? random.nextInt(20 << 20) : i % 7 == 0 ? 0 : random.nextInt(64 << 10);
                expected.put(prefix + name, Trees.write(root.resolve(name), size, seed + count * 1_000_003L + i));
            }
            count++;
            files += n;
        }

        /** Every file of the current wave in the inbox exactly once with its SHA-256, and nothing else. */
        synchronized void check() {
            Map<String, String> arrived = Trees.digests(inbox);
            long waveLost = expected.keySet().stream().filter(name -> !arrived.containsKey(name)).count();
            long waveExtra = arrived.keySet().stream().filter(name -> !expected.containsKey(name)).count();
            long waveCorrupt = expected.entrySet().stream()
                    .filter(e -> arrived.containsKey(e.getKey()) && !arrived.get(e.getKey()).equals(e.getValue()))
                    .count();
            log.info("harness wave={} files={} lost={} duplicates={} corrupt={}", count, expected.size(),
                    waveLost, waveExtra, waveCorrupt);
            if (waveLost + waveExtra + waveCorrupt > 0) {
                problems.add("wave " + count + ": lost " + waveLost + ", duplicates or unexpected " + waveExtra
                        + ", corrupt " + waveCorrupt + "; inbox " + arrived.keySet());
            }
            lost += waveLost;
            extra += waveExtra;
            corrupt += waveCorrupt;
        }

        /** No regular file left under the outbox, outside its hidden folders. */
        static boolean isEmpty(Path outbox) {
            try (Stream<Path> walk = Files.walk(outbox)) {
                return walk.noneMatch(p -> Files.isRegularFile(p) && !outbox.relativize(p).toString().startsWith("."));
            } catch (UncheckedIOException | IOException e) {
                return false; // a file or folder vanished while walking: the client is busy
            }
        }
    }
}

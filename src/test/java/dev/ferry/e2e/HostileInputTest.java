package dev.ferry.e2e;

import dev.ferry.client.ClientAgent;
import dev.ferry.testing.AgentProcess;
import dev.ferry.testing.Clients;
import dev.ferry.testing.Ports;
import dev.ferry.testing.RawClient;
import dev.ferry.testing.RawFrames;
import dev.ferry.testing.TestSettings;
import dev.ferry.testing.Trees;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hostile peers against a server agent in a JVM of its own with a 64 MiB heap that exits on the
 * first OutOfMemoryError, while a good client (in this JVM) delivers files. For each attack:
 * attackers run on background threads, the good client's files all arrive exactly once with their
 * SHA-256, the server logs a line that names what the attacker did, nothing of the attacker's is
 * in the inbox (no file, no temporary or partial file once the attackers have gone), the server is
 * still alive, and its heap after a full GC stays under half of its maximum.
 *
 * <p>The server's deadlines are short (handshake 1 s, frame 2 s plus the frame's size at 1 MiB/s,
 * idle 3 s) so that slow and silent peers are cut within the test's time, each by the deadline of
 * its phase.
 */
class HostileInputTest {
    private static final Logger log = LoggerFactory.getLogger(HostileInputTest.class);

    private static final String HELLO = Malformation.HELLO;
    private static final long TEN_GIB = 10L << 30;
    private static final long MAX_HEAP = 64L << 20;
    private static final int GOOD_FILES = 5;
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    static Path dir;

    private static AgentProcess server;
    private static ClientAgent good;
    private static int port;
    private static final Map<String, String> delivered = new TreeMap<>();

    @BeforeAll
    static void start() throws Exception {
        port = Ports.free();
        String[] settings = {
            "ferry.security.protocol", "plain",
            "ferry.server.host", "127.0.0.1", "ferry.server.port", Integer.toString(port),
            "ferry.server.inbox", inbox().toString(),
            "ferry.server.handshake-timeout", "1s", "ferry.server.frame-timeout", "2s",
            "ferry.server.min-rate", "1 MiB", "ferry.server.idle-timeout", "3s"};
        server = AgentProcess.start(dir.resolve("run"), "server",
                List.of("-Xmx64m", "-XX:+ExitOnOutOfMemoryError"), settings)
                .awaitLog("server listening", Duration.ofSeconds(60));
        good = Clients.start(TestSettings.load("ferry.client.name", "good",
                "ferry.client.server-port", Integer.toString(port), "ferry.client.outbox", outbox().toString(),
                "ferry.client.settle-time", "100ms", "ferry.client.rescan-interval", "1s",
                "ferry.client.retry.initial", "50ms", "ferry.client.retry.max", "300ms"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (good != null) {
            good.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static Path inbox() {
        return dir.resolve("inbox");
    }

    private static Path outbox() {
        return dir.resolve("outbox");
    }


    @ParameterizedTest(name = "{0}")
    @EnumSource(Attack.class)
    void aGoodClientIsServedDuringTheAttackAndNothingOfTheAttackerIsStored(Attack attack) throws Exception {
        int logStart = server.log().length();
        Map<String, String> files = new TreeMap<>();

        Attackers attackers = new Attackers(attack.name(), port);
        try (attackers) {
            attack.start(attackers);
            await().atMost(PATIENCE).until(() -> attack.underWay(attackers));
            for (int i = 0; i < GOOD_FILES; i++) {
                String name = attack.name().toLowerCase(Locale.ROOT) + "/good-" + i + ".bin";
                files.put(name, Trees.write(outbox().resolve(name), 1000L + 20_000L * i, attack.ordinal() * 100L + i));
            }
            delivered.putAll(files);
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                assertThat(Trees.digests(inbox())).containsAllEntriesOf(files);
                assertThat(Trees.digests(outbox())).isEmpty();
            });
            // The attack goes on until the server has said, for each of its forms, why it acted.
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                String since = server.log().substring(logStart);
                assertThat(Stream.of(attack.logged).filter(fragment -> !since.contains(fragment)))
                        .as("reasons not logged yet by the server").isEmpty();
            });
            assertThat(attackers.alive()).as("attack threads still attacking").isTrue();
        }

        assertThat(attackers.failures).as("what the attackers got that they should not have").isEmpty();
        attack.checkAttackers(attackers);
        String serverLog = server.log().substring(logStart);
        assertThat(server.isAlive()).as("server process (exits on OutOfMemoryError)").isTrue();
        assertThat(Trees.digests(inbox())).as("the inbox holds the good files only").isEqualTo(delivered);
        for (String name : files.keySet()) {
            assertThat(serverLog.lines().filter(line -> line.contains("stored file=" + name + " "))).hasSize(1);
        }
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(Trees.workFiles(inbox())).as("temporary or partial files").isEmpty());
        long heap = heapAfterGc(server.pid());
        log.info("hostile input attack={} heap-after-gc={} KiB", attack, heap >> 10);
        assertThat(heap).as("server heap after GC").isLessThan(MAX_HEAP / 2);
    }

    /** One way to attack, with what the server must log for it. */
    enum Attack {
        MALFORMED_FRAMES(20, Malformation.fragments()) {
            @Override
            void start(Attackers attackers) {
                attackers.loop(2, (n, self) -> {
                    Malformation m = Malformation.values()[(int) (n % Malformation.values().length)];
                    try (RawClient client = self.connect()) {
                        client.send(m.frames());
                        if (!m.truncated) {
                            client.closedByServer();
                        }
                    }
                });
            }
        },
        TINY_FRAME_FLOOD(1, List.of("more data than the 500 bytes announced in FILE")) {
            @Override
            boolean underWay(Attackers attackers) {
                return attackers.frames.get() >= 1000;
            }

            @Override
            void checkAttackers(Attackers attackers) {
                assertThat(attackers.frames.get()).as("tiny frames sent").isGreaterThanOrEqualTo(1000);
            }

            @Override
            void start(Attackers attackers) {
                attackers.loop(1, (n, self) -> {
                    try (Socket socket = self.socket()) {
                        OutputStream out = socket.getOutputStream();
                        out.write(new RawFrames().frame(5, HELLO).toByteArray());
                        RawFrames hundred = new RawFrames();
                        for (int i = 0; i < 100; i++) {
                            hundred.frame(1, new byte[] {1});
                        }
                        byte[] tiny = hundred.toByteArray();
                        // 1,000 one-byte DATA frames a second, each second a new FILE of 500 bytes:
                        // the flood overruns it, and the rest of the second is discarded.
                        for (long tick = 0; !self.stopped(); tick++) {
                            if (tick % 10 == 0) {
                                out.write(new RawFrames().frame(0, "name=flood.bin\nsize=500\nmtime=0\n").toByteArray());
                            }
                            out.write(tiny);
                            out.flush();
                            self.frames.addAndGet(100);
                            self.pace(100);
                        }
                    }
                });
            }
        },
        TEN_GIB_ANNOUNCED(6, List.of(
                "DATA length 10737418240 exceeds the limit of 1 MiB (ferry.server.max-block)",
                "DATA length 10737418240 exceeds the limit of 256 MiB (ferry.server.seed-max-file-size)",
                "too slow: a frame was not complete in time")) {
            @Override
            void start(Attackers attackers) {
                attackers.loop(3, (n, self) -> {
                    RawFrames frames = switch ((int) (n % 3)) {
                        case 0 -> new RawFrames().frame(5, HELLO).frame(0, "name=huge.bin\nsize=" + TEN_GIB
                                + "\nmtime=0\n").u64(1).u64(TEN_GIB);
                        case 1 -> new RawFrames().frame(0, "huge.bin").u64(1).u64(TEN_GIB);
                        // A 64 KiB DATA announced, then nothing: cut by the frame deadline (frame-timeout
                        // 2 s plus 64 KiB at min-rate), well before the 3 s idle timeout of the socket (a
                        // whole 1 MiB block would make both 3 s, and the read timeout often cut first).
                        default -> new RawFrames().frame(5, HELLO).frame(0, "name=huge.bin\nsize=" + TEN_GIB
                                + "\nmtime=0\n").u64(1).u64(64 << 10);
                    };
                    try (RawClient client = self.connect()) {
                        client.send(frames);
                        client.closedByServer();
                    }
                });
            }
        },
        SLOWLORIS(4, List.of("no handshake within 1000ms", "too slow: a frame was not complete in time")) {
            @Override
            void start(Attackers attackers) {
                attackers.loop(6, (n, self) -> {
                    // One byte a second: of the HELLO itself, or of a FILE frame after a whole HELLO.
                    boolean inHandshake = n % 2 == 0;
                    byte[] hello = new RawFrames().frame(5, HELLO).toByteArray();
                    byte[] trickled = inHandshake ? hello
                            : new RawFrames().frame(0, "name=slow.bin\nsize=10\nmtime=0\n").toByteArray();
                    try (Socket socket = self.socket()) {
                        OutputStream out = socket.getOutputStream();
                        if (!inHandshake) {
                            out.write(hello);
                        }
                        for (int i = 0; i < trickled.length && !self.stopped(); i++) {
                            out.write(trickled[i]);
                            out.flush();
                            self.pace(1000);
                        }
                    } catch (IOException e) {
                        // cut by the server: the point of the attack; the loop connects again
                    }
                });
            }
        },
        HALF_OPEN(6, List.of("no handshake within 1000ms", "too slow: a frame was not complete in time",
                "idle for 3000ms (ferry.server.idle-timeout)")) {
            @Override
            void start(Attackers attackers) {
                attackers.loop(6, (n, self) -> {
                    // Bytes sent, then silence with the connection left open, as from a peer that vanished.
                    byte[] hello = new RawFrames().frame(5, HELLO).toByteArray();
                    RawFrames frames = switch ((int) (n % 3)) {
                        case 0 -> new RawFrames().raw(Arrays.copyOf(hello, hello.length / 2));
                        case 1 -> new RawFrames().raw(hello).frame(0, "name=half.bin\nsize=1000\nmtime=0\n")
                                .u64(1).u64(1000).raw(new byte[500]);
                        default -> new RawFrames().raw(hello);
                    };
                    try (RawClient client = self.connect()) {
                        client.send(frames);
                        client.closedByServer();
                    }
                });
            }
        },
        IDLE_CONNECTIONS(500, List.of("the server is full (ferry.server.max-connections) and this connection had"
                + " not finished its handshake")) {
            @Override
            void start(Attackers attackers) {
                attackers.loop(1, (n, self) -> {
                    // 500 connections that never send a byte, each opened again once the server cuts it.
                    List<SocketChannel> open = new ArrayList<>();
                    ByteBuffer sink = ByteBuffer.allocate(4096);
                    try {
                        while (!self.stopped()) {
                            for (int i = 0; i < open.size(); i++) {
                                SocketChannel channel = open.get(i);
                                sink.clear();
                                int read;
                                try {
                                    read = channel.read(sink);
                                } catch (IOException e) {
                                    read = -1;
                                }
                                if (read < 0) {
                                    channel.close();
                                    open.set(i, self.idleChannel());
                                }
                            }
                            while (open.size() < 500 && !self.stopped()) {
                                open.add(self.idleChannel());
                            }
                            self.pace(100);
                        }
                    } finally {
                        for (SocketChannel channel : open) {
                            channel.close();
                        }
                    }
                });
            }
        },
        BAD_NAMES(BadName.TABLE.size(), List.of("status=BAD_REQUEST")) {
            @Override
            void checkAttackers(Attackers attackers) {
                assertThat(attackers.refusedNames).as("names refused")
                        .containsAll(BadName.TABLE.stream().map(BadName::name).toList());
            }

            @Override
            void start(Attackers attackers) {
                attackers.loop(2, (n, self) -> {
                    BadName bad = BadName.TABLE.get((int) (n % BadName.TABLE.size()));
                    byte[] content = {42};
                    try (RawClient client = self.connect()) {
                        client.send(new RawFrames().frame(5, HELLO)
                                .frame(0, "name=" + bad.name() + "\nsize=1\nmtime=0\n").frame(1, content)
                                .frame(6, trailer(content)));
                        RawClient.Answer hello = client.readReply();
                        RawClient.Answer answer = client.readReply();
                        if (hello.status() != 0 || answer.status() != 2) {
                            self.failures.add("name " + bad + " answered " + answer);
                        } else {
                            self.refusedNames.add(bad.name());
                        }
                    } catch (IOException e) {
                        self.failures.add("name " + bad + ": " + e);
                    }
                });
            }
        };

        final int connectionsBeforeGoodClient;
        final String[] logged;

        Attack(int connectionsBeforeGoodClient, List<String> logged) {
            this.connectionsBeforeGoodClient = connectionsBeforeGoodClient;
            this.logged = logged.toArray(String[]::new);
        }

        abstract void start(Attackers attackers);

        /** What the attackers themselves must have seen, once they have stopped. */
        void checkAttackers(Attackers attackers) {
        }

        /** True once the attack is in full swing, so the good client is served during it. */
        boolean underWay(Attackers attackers) {
            return attackers.connections.get() >= connectionsBeforeGoodClient;
        }
    }

    private static byte[] trailer(byte[] content) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(content);
        return ByteBuffer.allocate(72).putLong(content.length).put(digest).put(new byte[32]).array();
    }

    /** The server's used heap after a full GC, from {@code jcmd GC.run} and {@code jstat -gc} (bytes). */
    private static long heapAfterGc(long pid) throws Exception {
        run("jcmd", Long.toString(pid), "GC.run");
        List<String> lines = run("jstat", "-gc", Long.toString(pid)).lines().filter(l -> !l.isBlank()).toList();
        String[] names = lines.get(0).trim().split("\\s+");
        String[] values = lines.get(1).trim().split("\\s+");
        double kib = 0;
        for (int i = 0; i < names.length; i++) {
            if (List.of("S0U", "S1U", "EU", "OU").contains(names[i])) {
                kib += Double.parseDouble(values[i]);
            }
        }
        return (long) (kib * 1024);
    }

    private static String run(String... command) throws Exception {
        Path tool = Path.of(System.getProperty("java.home"), "bin", command[0]);
        List<String> cmd = new ArrayList<>(List.of(command));
        if (Files.isExecutable(tool)) {
            cmd.set(0, tool.toString());
        }
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("%s ends", cmd).isTrue();
        assertThat(process.exitValue()).as("%s: %s", cmd, output).isZero();
        return output;
    }
}

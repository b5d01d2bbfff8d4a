package dev.ferry.transfer;

import dev.ferry.config.ConflictPolicy;
import dev.ferry.config.FerrySettings;
import dev.ferry.security.SeedRecording;
import dev.ferry.server.Inbox;
import dev.ferry.server.InboxStore;
import dev.ferry.server.PartialFiles;
import dev.ferry.server.Receipts;
import dev.ferry.testing.Servers;
import dev.ferry.testing.TestSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The original cp2 client's recorded session with one bit flipped, at every offset of its
 * handshake and file headers and at sampled offsets of its Fernet tokens, replayed into the
 * server: whatever the flip breaks, nothing with altered content is ever stored. (A seed session
 * carries the file name in clear and unauthenticated, so a flipped name can store an intact file
 * under another name: that is the original protocol's weakness, and the reason native sessions
 * seal their headers.)
 */
class BitFlipTest {
    @TempDir
    static Path work;

    private static ServerProtocols cp2;
    private static byte[] recording;
    private static Set<String> originals;

    @BeforeAll
    static void setUp() throws Exception {
        FerrySettings settings = TestSettings.load("ferry.security.protocol", "cp2",
                "ferry.security.server-cert", resource("server_signed.crt"),
                "ferry.security.server-key", resource("server_private_key.test-only.pem"),
                "ferry.security.ca-cert", resource("cacsertificate.crt"));
        cp2 = Servers.protocols(settings);
        recording = SeedRecording.resource("cp2.c2s");
        originals = Set.of(sha256(SeedRecording.resource("files/hello.txt")),
                sha256(SeedRecording.resource("files/random-100k.bin")));
    }

    private static String resource(String name) throws Exception {
        return Path.of(BitFlipTest.class.getResource("/seed-vectors/" + name).toURI()).toString();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void aFlippedBitNeverStoresAlteredContent() throws Exception {
        int replays = 0;
        for (int offset = 0; offset < recording.length; offset += offset < 1024 ? 1 : 307) {
            byte[] altered = recording.clone();
            altered[offset] ^= (byte) (1 << (offset % 8));
            Path inbox = work.resolve("run-" + offset);

            replay(altered, inbox);

            try (Stream<Path> files = Files.list(inbox)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    assertThat(originals).as("content stored after a flip at offset %d", offset)
                            .contains(sha256(Files.readAllBytes(file)));
                }
            }
            delete(inbox);
            replays++;
        }
        assertThat(replays).isGreaterThan(1400);
    }

    private static void replay(byte[] clientBytes, Path inbox) throws IOException {
        Path ferry = inbox.resolve(Inbox.WORK_DIR);
        try (Receipts receipts = Receipts.open(Files.createDirectories(ferry).resolve("receipts.log"),
                Duration.ofDays(1), Clock.systemUTC())) {
            InboxStore store = new InboxStore(new Inbox(inbox, ConflictPolicy.RENAME), receipts,
                    new PartialFiles(ferry.resolve("partial"), 1 << 20), 0);
            ServerSession.Context context = new ServerSession.Context("flip", cp2, store,
                    new ReceptionLimits(1L << 30, 1 << 20, 1L << 20), SessionListener.NONE, new SecureRandom());
            new ServerSession(new ByteArrayInputStream(clientBytes), new ByteArrayOutputStream(), context).run();
        } catch (IOException expected) {
            // most flips end the session: that is the point
        }
    }

    private static void delete(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}

package dev.ferry.transfer;

import dev.ferry.config.ConflictPolicy;
import dev.ferry.security.SecurityContext;
import dev.ferry.security.SecuritySetupException;
import dev.ferry.testing.TestSettings;
import dev.ferry.security.ServerSecurity;
import dev.ferry.security.plain.PlainPlugin;
import dev.ferry.server.Inbox;
import dev.ferry.server.InboxStore;
import dev.ferry.server.PartialFiles;
import dev.ferry.server.Receipts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Replays the original programs' recorded sessions (test resources seed-vectors/) into our server. */
class SeedVectorTest {
    @TempDir
    Path inbox;

    static byte[] resource(String name) throws IOException {
        try (InputStream in = SeedVectorTest.class.getResourceAsStream("/seed-vectors/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    private byte[] replay(String protocol, ServerSecurity security, byte[] clientBytes) throws IOException {
        ServerSession.Context context = new ServerSession.Context("recording", new ServerProtocols(protocol, security,
                Map.of(protocol, security)), new InboxStore(new Inbox(inbox, ConflictPolicy.RENAME),
                        Receipts.open(inbox.resolve(".ferry/receipts.log"), Duration.ofDays(1), Clock.systemUTC()),
                        new PartialFiles(inbox.resolve(".ferry/partial"), 1 << 20), 0),
                new ReceptionLimits(1L << 30, 1 << 20, 256L << 20), SessionListener.NONE, new SecureRandom());
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        new ServerSession(new ByteArrayInputStream(clientBytes), answer, context).run();
        return answer.toByteArray();
    }

    @Test
    void plainRecordingStoresBothFilesExactly() throws IOException, SecuritySetupException {
        ServerSecurity plain = new PlainPlugin().server(SecurityContext.of(TestSettings.load()));

        byte[] answer = replay("plain", plain, resource("plain.c2s"));

        assertThat(answer).containsExactly(resource("plain.s2c"));
        assertThat(inbox.resolve("hello.txt")).hasBinaryContent(resource("files/hello.txt"));
        assertThat(inbox.resolve("random-100k.bin")).hasBinaryContent(resource("files/random-100k.bin"));
        try (var listing = Files.list(inbox)) {
            assertThat(listing.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("hello.txt", "random-100k.bin", Inbox.WORK_DIR);
        }
    }

    @Test
    void apRecordingIsRefusedByAPlainServerWithNothingStored() throws IOException, SecuritySetupException {
        ServerSecurity plain = new PlainPlugin().server(SecurityContext.of(TestSettings.load()));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> replay("plain", plain, resource("ap.c2s")))
                .hasMessageContaining("AUTH").hasMessageContaining("protocol plain");
        try (var listing = Files.list(inbox)) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly(Inbox.WORK_DIR);
        }
    }
}

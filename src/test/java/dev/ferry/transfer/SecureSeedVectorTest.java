package dev.ferry.transfer;

import dev.ferry.config.ConflictPolicy;
import dev.ferry.config.FerrySettings;
import dev.ferry.security.SeedRecording;
import dev.ferry.security.rsa.SeedSignatures;
import dev.ferry.server.Inbox;
import dev.ferry.server.InboxStore;
import dev.ferry.server.PartialFiles;
import dev.ferry.server.Receipts;
import dev.ferry.testing.Servers;
import dev.ferry.testing.TestSettings;
import dev.ferry.wire.ProtocolException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Replays the original ap, cp1 and cp2 programs' recordings into a server with the recordings' key. */
class SecureSeedVectorTest {
    @TempDir
    Path inbox;

    private static String resourcePath(String name) throws URISyntaxException {
        return Path.of(SecureSeedVectorTest.class.getResource("/seed-vectors/" + name).toURI()).toString();
    }

    private static FerrySettings seedServer(String protocol) throws URISyntaxException {
        return TestSettings.load("ferry.security.protocol", protocol,
                "ferry.security.server-cert", resourcePath("server_signed.crt"),
                "ferry.security.server-key", resourcePath("server_private_key.test-only.pem"),
                "ferry.security.ca-cert", resourcePath("cacsertificate.crt"));
    }

    private byte[] replay(FerrySettings settings, byte[] clientBytes) throws IOException {
        ServerSession.Context context = new ServerSession.Context("recording", Servers.protocols(settings),
                new InboxStore(new Inbox(inbox, ConflictPolicy.RENAME),
                        Receipts.open(inbox.resolve(".ferry/receipts.log"), Duration.ofDays(1), Clock.systemUTC()),
                        new PartialFiles(inbox.resolve(".ferry/partial"), 1 << 20), 0),
                new ReceptionLimits(1L << 30, 1 << 20, 256L << 20), SessionListener.NONE, new SecureRandom());
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        new ServerSession(new ByteArrayInputStream(clientBytes), answer, context).run();
        return answer.toByteArray();
    }

    private String[] inboxNames() throws IOException {
        try (Stream<Path> files = Files.list(inbox)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.equals(Inbox.WORK_DIR)).sorted()
                    .toArray(String[]::new);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ap", "cp1", "cp2"})
    void storesTheRecordedFilesExactlyAndAnswersAuthAsTheSeedServer(String protocol) throws Exception {
        byte[] answer = replay(seedServer(protocol), SeedRecording.resource(protocol + ".c2s"));

        assertThat(inbox.resolve("hello.txt")).hasBinaryContent(SeedRecording.resource("files/hello.txt"));
        assertThat(inbox.resolve("random-100k.bin")).hasBinaryContent(SeedRecording.resource("files/random-100k.bin"));
        assertThat(inboxNames()).containsExactly("hello.txt", "random-100k.bin");
        ByteBuffer in = ByteBuffer.wrap(answer);
        byte[] signature = new byte[(int) in.getLong()];
        in.get(signature);
        byte[] pem = new byte[(int) in.getLong()];
        in.get(pem);
        assertThat(in.hasRemaining()).isFalse();
        assertThat(pem).isEqualTo(SeedRecording.resource("server_signed.crt"));
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem));
        byte[] authMessage = SeedRecording.clientFrames(protocol).get(0).payload();
        assertThat(SeedSignatures.verify(certificate.getPublicKey(), authMessage, signature)).isTrue();
        assertThat(signature).hasSize(256);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ap", "cp1", "cp2"})
    void refusesAPlainSeedSessionWhereAuthenticationIsRequired(String protocol) throws Exception {
        FerrySettings settings = seedServer(protocol);

        assertThatThrownBy(() -> replay(settings, SeedRecording.resource("plain.c2s")))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("AUTH is required before DATA");
        assertThat(inboxNames()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ap", "cp1"})
    void refusesAKeyOutsideCp2(String protocol) throws Exception {
        FerrySettings settings = seedServer(protocol);

        assertThatThrownBy(() -> replay(settings, SeedRecording.resource("cp2.c2s")))
                .hasMessageContaining("KEY");
        assertThat(inboxNames()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ap", "cp1", "cp2"})
    void refusesSeedClientsWhenClientCertificatesAreRequired(String protocol) throws Exception {
        FerrySettings settings = TestSettings.load("ferry.security.protocol", protocol,
                "ferry.security.server-cert", resourcePath("server_signed.crt"),
                "ferry.security.server-key", resourcePath("server_private_key.test-only.pem"),
                "ferry.security.ca-cert", resourcePath("cacsertificate.crt"),
                "ferry.server.require-client-certificate", "true");

        assertThatThrownBy(() -> replay(settings, SeedRecording.resource(protocol + ".c2s")))
                .hasMessageContaining("cannot present a client certificate");
        assertThat(inboxNames()).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void refusesCp2DataWithoutKeyAndAFlippedBitInAToken() throws Exception {
        FerrySettings settings = seedServer("cp2");
        byte[] recording = SeedRecording.resource("cp2.c2s");
        byte[] tampered = Arrays.copyOf(recording, recording.length);
        tampered[tampered.length - 200] ^= 0x01;

        assertThatThrownBy(() -> replay(settings, tampered)).isInstanceOf(IOException.class);
        assertThat(inboxNames()).as("the first file is stored, the altered second one is not")
                .containsExactly("hello.txt");
    }
}

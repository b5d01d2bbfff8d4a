package dev.ferry.security.rsa;

import dev.ferry.config.FerrySettings;
import dev.ferry.pki.CertificateValidator;
import dev.ferry.pki.Pem;
import dev.ferry.security.HandshakeChannel;
import dev.ferry.security.HandshakeException;
import dev.ferry.testing.TestPki;
import dev.ferry.testing.TestSettings;
import dev.ferry.wire.FrameLimits;
import dev.ferry.wire.FrameReader;
import dev.ferry.wire.FrameWriter;
import dev.ferry.wire.Mode;
import dev.ferry.wire.Transcript;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client's check of the server, with the validated chain kept between sessions. */
class ClientAuthenticationTest {
    @TempDir
    static Path dir;
    static FerrySettings settings;
    static X509Certificate ca;
    static ServerAuthentication server;

    @BeforeAll
    static void certificates() throws Exception {
        settings = TestSettings.load(TestPki.create(dir).settings("cp2"));
        ca = Pem.readCertificates(settings.security().caCert()).get(0);
        server = ServerAuthentication.create(settings.security());
    }

    /** A clock that tests move. */
    private static final class MovableClock extends Clock {
        private Instant now = Instant.now();

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aKeptChainIsCheckedAgainOnceACertificateInItHasExpired() throws Exception {
        MovableClock clock = new MovableClock();
        ClientAuthentication client = client(clock);
        RSAPublicKey first = authenticate(client, true);
        RSAPublicKey second = authenticate(client, true);

        clock.now = clock.now.plus(Duration.ofDays(11));

        assertThat(second).isEqualTo(first).isEqualTo(server.identity().publicKey());
        assertThatThrownBy(() -> authenticate(client, true)).isInstanceOf(HandshakeException.class)
                .hasMessageContaining("expired");
    }

    @Test
    void aKeptChainStillNeedsTheSessionsSignature() throws Exception {
        ClientAuthentication client = client(new MovableClock());
        authenticate(client, true);

        assertThatThrownBy(() -> authenticate(client, false)).isInstanceOf(HandshakeException.class)
                .hasMessageContaining("does not verify");
    }

    private static ClientAuthentication client(Clock clock) {
        return new ClientAuthentication(new CertificateValidator(ca, clock, 2048), "localhost", null,
                new SecureRandom(), clock);
    }

    /** One native AUTH exchange over loopback; the server signs the transcript, or sends a made-up signature. */
    private static RSAPublicKey authenticate(ClientAuthentication client, boolean honest) throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket socket = listener.accept()) {
                    FrameReader in = new FrameReader(socket.getInputStream(),
                            FrameLimits.none().with(Mode.AUTH, 1024, "test"));
                    FrameWriter out = new FrameWriter(socket.getOutputStream());
                    Transcript transcript = new Transcript();
                    in.transcript(transcript);
                    out.transcript(transcript);
                    if (honest) {
                        server.authenticate(new HandshakeChannel(in, out, transcript, Map.of(), Map.of()));
                    } else {
                        assertThat(in.readMode()).isEqualTo(Mode.AUTH);
                        in.readPayload(Mode.AUTH);
                        byte[] signature = new byte[256];
                        signature[255] = 1;
                        byte[] pem = server.identity().chainPem();
                        out.writeSized(signature, 0, signature.length);
                        out.writeSized(pem, 0, pem.length);
                        out.flush();
                    }
                    in.readMode();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Socket socket = new Socket(listener.getInetAddress(), listener.getLocalPort())) {
                FrameReader in = new FrameReader(socket.getInputStream(), FrameLimits.none());
                FrameWriter out = new FrameWriter(socket.getOutputStream());
                Transcript transcript = new Transcript();
                in.transcript(transcript);
                out.transcript(transcript);
                RSAPublicKey key = client.authenticate(new HandshakeChannel(in, out, transcript, Map.of(), Map.of()));
                socket.shutdownOutput();
                served.get(1, TimeUnit.MINUTES);
                return key;
            }
        }
    }
}

package dev.ferry.security.cp2;

import dev.ferry.config.FerrySettings;
import dev.ferry.pki.Pem;
import dev.ferry.security.ClientSecurity;
import dev.ferry.security.HandshakeChannel;
import dev.ferry.security.SecurityContext;
import dev.ferry.security.ServerHandshake;
import dev.ferry.security.ServerSecurity;
import dev.ferry.security.SessionCodec;
import dev.ferry.security.rsa.ServerAuthentication;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The cp2 warm-up: it finishes without error and runs beside sessions, which never wait for it. */
class Cp2WarmUpTest {
    @TempDir
    static Path dir;
    static FerrySettings settings;

    @BeforeAll
    static void certificates() {
        settings = TestSettings.load(TestPki.create(dir).settings("cp2"));
    }

    @Test
    void bothSidesWarmUpWithoutError() throws Exception {
        ServerAuthentication server = ServerAuthentication.create(settings.security());
        SecureRandom random = new SecureRandom();

        CompletableFuture<Void> serverSide = Cp2WarmUp.server(server.identity().privateKey(),
                server.identity().publicKey(), random);
        CompletableFuture<Void> clientSide = Cp2WarmUp.client(
                Pem.readCertificates(settings.security().caCert()).get(0).getPublicKey(), random);

        assertThat(serverSide).succeedsWithin(Duration.ofMinutes(2));
        assertThat(clientSide).succeedsWithin(Duration.ofMinutes(2));
    }

    @Test
    void sessionsOpenAndCarryDataRightAfterThePluginStartsWhileItWarmsUp() throws Exception {
        Cp2Plugin plugin = new Cp2Plugin();
        ServerSecurity serverSecurity = plugin.server(SecurityContext.of(settings));
        ClientSecurity clientSecurity = plugin.client(SecurityContext.of(settings));

        // Three sessions: the second and third find the server's chain validated already.
        for (int session = 0; session < 3; session++) {
            byte[] message = ("session " + session).getBytes(StandardCharsets.UTF_8);
            assertThat(roundTrip(serverSecurity, clientSecurity, message)).isEqualTo(message);
        }
    }

    /** One handshake over loopback, then a DATA payload sealed by the client and opened by the server. */
    private static byte[] roundTrip(ServerSecurity serverSecurity, ClientSecurity clientSecurity, byte[] message)
            throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ServerHandshake serverHandshake = serverSecurity.nativeHandshake();
            Map<String, String> answer = new HashMap<>(serverHandshake.helloParameters());
            answer.put("server-nonce", "test");
            Map<String, String> hello = Map.of("protocol", "cp2");
            CompletableFuture<byte[]> opened = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = listener.accept()) {
                    FrameReader in = new FrameReader(socket.getInputStream(), FrameLimits.none()
                            .with(Mode.AUTH, 1024, "test").with(Mode.KEY, 4096, "test").with(Mode.DATA, 4096, "test"));
                    FrameWriter out = new FrameWriter(socket.getOutputStream());
                    Transcript transcript = new Transcript();
                    in.transcript(transcript);
                    out.transcript(transcript);
                    SessionCodec codec = serverHandshake.finish(new HandshakeChannel(in, out, transcript, hello, answer));
                    in.transcript(null);
                    assertThat(in.readMode()).isEqualTo(Mode.DATA);
                    byte[] sealed = in.readPayload(Mode.DATA);
                    byte[] plain = new byte[codec.maxPlainLength(sealed.length)];
                    return Arrays.copyOf(plain, codec.open(Mode.DATA, sealed, 0, sealed.length, plain));
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
                SessionCodec codec = clientSecurity.handshake(new HandshakeChannel(in, out, transcript, hello, answer));
                out.transcript(null);
                byte[] sealed = new byte[codec.sealedLength(message.length)];
                out.writeFrame(Mode.DATA, sealed, 0, codec.seal(Mode.DATA, message, 0, message.length, sealed));
                out.flush();
                return opened.get(1, TimeUnit.MINUTES);
            }
        }
    }
}

package dev.ferry.security.cp1;

import dev.ferry.security.SealException;
import dev.ferry.security.SeedRecording;
import dev.ferry.security.rsa.RsaOaep;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Cp1ChunksTest {
    private static KeyPair rsa;
    private static Cp1Chunks client;
    private static Cp1Chunks sequential;
    private static Cp1Chunks parallel;

    @BeforeAll
    static void generateKey() throws Exception {
        rsa = SeedRecording.rsa2048();
        client = new Cp1Chunks(null, rsa.getPublic(), 1);
        sequential = new Cp1Chunks(rsa.getPrivate(), null, 1);
        parallel = new Cp1Chunks(rsa.getPrivate(), null, 3);
    }

    @AfterAll
    static void closePools() {
        client.close();
        sequential.close();
        parallel.close();
    }

    @Test
    void rsa2048ChunksCarry190BytesIn256() {
        assertThat(client.chunkPlain()).isEqualTo(190);
        assertThat(client.chunkSize()).isEqualTo(256);
        assertThat(client.encodedLength(0)).isZero();
        assertThat(client.encodedLength(1)).isEqualTo(256);
        assertThat(client.encodedLength(190)).isEqualTo(256);
        assertThat(client.encodedLength(191)).isEqualTo(512);
        assertThat(client.maxPlainLength(512)).isEqualTo(380);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 190, 191, 100 * 1024})
    void roundTripsAndBothDecodersAgree(int length) throws Exception {
        byte[] plain = random(length, length);
        byte[] encoded = new byte[client.encodedLength(length)];

        int written = client.encode(plain, 0, length, encoded);

        assertThat(written).isEqualTo(encoded.length);
        assertThat(decode(sequential, encoded)).isEqualTo(plain);
        assertThat(decode(parallel, encoded)).isEqualTo(plain);
    }

    @Test
    void encodesFromAnOffset() throws Exception {
        byte[] plain = random(600, 7);
        byte[] encoded = new byte[client.encodedLength(500)];

        client.encode(plain, 100, 500, encoded);

        assertThat(decode(parallel, encoded)).isEqualTo(Arrays.copyOfRange(plain, 100, 600));
    }

    @Test
    void lengthThatIsNotWholeChunksFailsNamingIt() {
        byte[] encoded = new byte[1000];

        assertThatThrownBy(() -> sequential.decode(encoded, 0, 1000, new byte[1000]))
                .isInstanceOf(SealException.class).hasMessageContaining("1000").hasMessageContaining("256-byte");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void chunkThatDoesNotDecryptIsNamed(boolean inParallel) throws Exception {
        byte[] plain = random(5 * 190, 3);
        byte[] encoded = new byte[client.encodedLength(plain.length)];
        client.encode(plain, 0, plain.length, encoded);
        byte[] altered = SeedRecording.flipBit(encoded, 8 * (2 * 256 + 17));

        Cp1Chunks decoder = inParallel ? parallel : sequential;

        assertThatThrownBy(() -> decode(decoder, altered)).isInstanceOf(SealException.class)
                .hasMessageStartingWith("cp1 chunk 2 does not decrypt");
    }

    @Test
    void chunksCutShorterByAnotherEncoderAreJoinedWithoutGaps() throws Exception {
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        ByteArrayOutputStream encoded = new ByteArrayOutputStream();
        for (int length : new int[] {10, 190, 0, 50, 190, 7}) {
            byte[] piece = random(length, length + 1);
            plain.writeBytes(piece);
            encoded.writeBytes(RsaOaep.encrypt(rsa.getPublic(), piece));
        }

        assertThat(decode(parallel, encoded.toByteArray())).isEqualTo(plain.toByteArray());
        assertThat(decode(sequential, encoded.toByteArray())).isEqualTo(plain.toByteArray());
    }

    @Test
    void connectionsDecodingAtOnceShareThePool() throws Exception {
        ExecutorService connections = Executors.newFixedThreadPool(3);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                byte[] plain = random(12 * 190 + c, c);
                byte[] encoded = new byte[client.encodedLength(plain.length)];
                client.encode(plain, 0, plain.length, encoded);
                results.add(connections.submit(() -> Arrays.equals(decode(parallel, encoded), plain)));
            }

            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            connections.shutdown();
        }
    }

    @Test
    void closedInstanceStillDecodesOnTheCallingThread() throws Exception {
        byte[] plain = random(6 * 190, 11);
        byte[] encoded = new byte[client.encodedLength(plain.length)];
        client.encode(plain, 0, plain.length, encoded);

        Cp1Chunks closed = new Cp1Chunks(rsa.getPrivate(), null, 2);
        closed.close();

        assertThat(decode(closed, encoded)).isEqualTo(plain);
    }

    @Test
    void interruptedDecodeStopsWithASealExceptionAndKeepsTheFlag() {
        byte[] plain = random(8 * 190, 12);
        byte[] encoded = new byte[client.encodedLength(plain.length)];
        client.encode(plain, 0, plain.length, encoded);

        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> decode(parallel, encoded)).isInstanceOf(SealException.class)
                    .hasMessageContaining("interrupted");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void sideWithoutTheKeyRefusesTheOperation() {
        assertThatThrownBy(() -> client.decode(new byte[256], 0, 256, new byte[190]))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("private key");
        assertThatThrownBy(() -> sequential.encode(new byte[1], 0, 1, new byte[256]))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("public key");
    }

    private static byte[] decode(Cp1Chunks chunks, byte[] encoded) throws SealException {
        byte[] dst = new byte[chunks.maxPlainLength(encoded.length)];
        int n = chunks.decode(encoded, 0, encoded.length, dst);
        return Arrays.copyOf(dst, n);
    }

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}

package dev.ferry.security.cp2;

import dev.ferry.security.SealException;
import dev.ferry.security.SeedRecording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FernetTest {
    private static final long TIMESTAMP = 1_700_000_000L;
    private static final byte[] IV = new byte[16];
    private static final FernetKey KEY = FernetKey.generate(new SecureRandom());

    private final Fernet fernet = new Fernet(KEY);

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 15, 16, 17, 1000, 49151, 49152, 49153, 3 * 49152 + 5})
    void arrayAndStreamFormsAgreeBothWays(int length) throws Exception {
        byte[] plain = random(length, length);

        byte[] token = fernet.encrypt(plain, TIMESTAMP, IV);
        ByteArrayOutputStream streamedToken = new ByteArrayOutputStream();
        fernet.encrypt(new ByteArrayInputStream(plain), length, streamedToken, TIMESTAMP, IV);
        ByteArrayOutputStream streamedPlain = new ByteArrayOutputStream();
        fernet.decrypt(new ByteArrayInputStream(token), token.length, streamedPlain);

        assertThat(streamedToken.toByteArray()).isEqualTo(token);
        assertThat(token).hasSize((int) Fernet.maxTokenLength(length));
        assertThat(fernet.decrypt(token)).isEqualTo(plain);
        assertThat(streamedPlain.toByteArray()).isEqualTo(plain);
    }

    @Test
    void tokenIsVersionTimestampIvCiphertextAndHmacInPaddedBase64url() throws Exception {
        byte[] token = fernet.encrypt(new byte[20], TIMESTAMP, IV);

        byte[] raw = Base64.getUrlDecoder().decode(token);

        assertThat(token[token.length - 1]).isEqualTo((byte) '=');
        assertThat(raw[0]).isEqualTo((byte) 0x80);
        assertThat(Arrays.copyOfRange(raw, 1, 9)).isEqualTo(java.nio.ByteBuffer.allocate(8).putLong(TIMESTAMP).array());
        assertThat(raw).hasSize(1 + 8 + 16 + 32 + 32);
    }

    @Test
    void fiveMebibyteTokenStreamsInBoundedReads() throws Exception {
        byte[] plain = random(5 << 20, 5);
        byte[] token = fernet.encrypt(plain, TIMESTAMP, IV);
        BoundedReads in = new BoundedReads(new ByteArrayInputStream(token));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        fernet.decrypt(in, token.length, out);

        assertThat(out.toByteArray()).isEqualTo(plain);
        assertThat(in.largestRead).isLessThanOrEqualTo(64 * 1024);
    }

    @Test
    void alteredLastCharacterOfABigStreamedTokenIsRejectedAtTheEnd() {
        byte[] plain = random(5 << 20, 6);
        byte[] token = fernet.encrypt(plain, TIMESTAMP, IV);
        // Another base64 character, never an invalid one: the HMAC's check must be what fails.
        token[token.length - 4] = (byte) (token[token.length - 4] == 'A' ? 'B' : 'A');

        assertThatThrownBy(() -> fernet.decrypt(new ByteArrayInputStream(token), token.length, new ByteArrayOutputStream()))
                .isInstanceOf(SealException.class).hasMessageContaining("HMAC");
    }

    @Test
    void flippedBitAnywhereInATokenIsRejected() {
        byte[] token = fernet.encrypt(random(40, 1), TIMESTAMP, IV);

        for (int bit = 0; bit < token.length * 8; bit++) {
            byte[] altered = SeedRecording.flipBit(token, bit);

            assertThatThrownBy(() -> fernet.decrypt(altered)).as("bit %d", bit).isInstanceOf(SealException.class);
            assertThatThrownBy(() -> fernet.decrypt(new ByteArrayInputStream(altered), altered.length,
                    new ByteArrayOutputStream())).as("bit %d streamed", bit).isInstanceOf(SealException.class);
        }
    }

    @Test
    void anotherKeyIsRejected() {
        byte[] token = fernet.encrypt(new byte[3], TIMESTAMP, IV);
        Fernet other = new Fernet(FernetKey.generate(new SecureRandom()));

        assertThatThrownBy(() -> other.decrypt(token)).isInstanceOf(SealException.class).hasMessageContaining("HMAC");
    }

    @Test
    void unknownVersionIsRejectedEvenWithAValidHmac() throws Exception {
        byte[] raw = Base64.getUrlDecoder().decode(fernet.encrypt(new byte[3], TIMESTAMP, IV));
        raw[0] = (byte) 0x81;
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY.signingKey(), "HmacSHA256"));
        mac.update(raw, 0, raw.length - 32);
        mac.doFinal(raw, raw.length - 32);
        byte[] token = Base64.getUrlEncoder().encode(raw);

        assertThatThrownBy(() -> fernet.decrypt(token)).isInstanceOf(SealException.class).hasMessageContaining("0x81");
    }

    @Test
    void tokenWithoutItsPaddingIsRejected() {
        byte[] token = fernet.encrypt(new byte[3], TIMESTAMP, IV);
        byte[] unpadded = Arrays.copyOf(token, token.length - 2);

        assertThatThrownBy(() -> fernet.decrypt(unpadded)).isInstanceOf(SealException.class);
    }

    @Test
    void streamEndingEarlyIsAnEofNamingTheCounts() {
        byte[] token = fernet.encrypt(new byte[300], TIMESTAMP, IV);
        InputStream shorter = new ByteArrayInputStream(token, 0, token.length - 8);

        assertThatThrownBy(() -> fernet.decrypt(shorter, token.length, new ByteArrayOutputStream()))
                .isInstanceOf(EOFException.class).hasMessageContaining((token.length - 8) + " of " + token.length);
    }

    @Test
    void instanceIsReusableAfterAFailedStream() throws Exception {
        byte[] token = fernet.encrypt(random(100_000, 2), TIMESTAMP, IV);
        InputStream broken = new ByteArrayInputStream(token, 0, 70_000);
        assertThatThrownBy(() -> fernet.decrypt(broken, token.length, new ByteArrayOutputStream()))
                .isInstanceOf(EOFException.class);

        byte[] plain = fernet.decrypt(token);

        assertThat(plain).isEqualTo(random(100_000, 2));
    }

    @Test
    void maxTokenLengthIsExactForFrameLimits() {
        for (int length = 0; length < 100; length++) {
            assertThat(fernet.encrypt(new byte[length], TIMESTAMP, IV)).hasSize((int) Fernet.maxTokenLength(length));
        }
        assertThat(Fernet.maxTokenLength(256L << 20)).isEqualTo((57 + (256L << 20) + 16 + 2) / 3 * 4);
    }

    @Test
    void randomIvsMakeDifferentTokens() throws Exception {
        SecureRandom random = new SecureRandom();

        byte[] first = fernet.encrypt(new byte[10], random);
        byte[] second = fernet.encrypt(new byte[10], random);

        assertThat(first).isNotEqualTo(second);
        assertThat(fernet.decrypt(first)).isEqualTo(new byte[10]);
    }

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Records the largest read the decoder asks for. */
    private static final class BoundedReads extends FilterInputStream {
        int largestRead;

        BoundedReads(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            largestRead = Math.max(largestRead, len);
            return super.read(b, off, len);
        }
    }
}

package dev.ferry.security.cp2;

import dev.ferry.security.SealException;
import dev.ferry.security.SeedRecording;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GcmSealerTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] KEY = range32();
    private static final long DATA = 1;
    private static final long COMMIT = 6;

    /**
     * Known answers for our nonce and AAD layout, computed independently with OpenSSL's AES-GCM
     * through Python's cryptography 48: {@code AESGCM(bytes(range(32))).encrypt(b"\0" * 4 +
     * struct.pack(">Q", counter), plain, struct.pack(">Q", aad))}.
     */
    @Test
    void sealsKnownAnswersForNonceCounterAndAad() {
        GcmSealer sealer = new GcmSealer(KEY);

        String first = sealHex(sealer, DATA, "ferry cp2 known answer".getBytes(StandardCharsets.US_ASCII));
        String second = sealHex(sealer, COMMIT, new byte[0]);
        String third = sealHex(sealer, 0, new byte[40]);

        assertThat(first).isEqualTo("68d9c7accc0ce0cd3a88c25b775bffb9b32d25244df323371b0c7449acfb67794a991f34a4f8");
        assertThat(second).isEqualTo("9ac9e15c802e384678dc842e442adcdf");
        assertThat(third).isEqualTo("c9712e7db44bdad1b90d3c117741eb8c861735d0eea90faf8e7d523a71db5b84"
                + "e423f9cf266128e4d5d06792b424b2d034f321141e4f5380");
        assertThat(sealer.counter()).isEqualTo(3);
    }

    @Test
    void roundTripsManyMessagesInOrder() throws Exception {
        GcmSealer sealer = new GcmSealer(KEY);
        GcmSealer opener = new GcmSealer(KEY);
        Random random = new Random(1);

        for (int i = 0; i < 2000; i++) {
            byte[] plain = new byte[random.nextInt(3000)];
            random.nextBytes(plain);
            long aad = i % 3;
            byte[] sealed = new byte[plain.length + GcmSealer.TAG];
            byte[] opened = new byte[plain.length];

            assertThat(sealer.seal(aad, plain, 0, plain.length, sealed)).isEqualTo(sealed.length);
            assertThat(opener.open(aad, sealed, 0, sealed.length, opened)).isEqualTo(plain.length);
            assertThat(opened).isEqualTo(plain);
        }
        assertThat(opener.counter()).isEqualTo(sealer.counter()).isEqualTo(2000);
    }

    @Test
    void sealsAndOpensInPlace() throws Exception {
        byte[] buffer = new byte[100 + GcmSealer.TAG];
        Arrays.fill(buffer, 0, 100, (byte) 7);

        int sealed = new GcmSealer(KEY).seal(DATA, buffer, 0, 100, buffer);
        int opened = new GcmSealer(KEY).open(DATA, buffer, 0, sealed, buffer);

        assertThat(opened).isEqualTo(100);
        assertThat(Arrays.copyOf(buffer, 100)).containsOnly((byte) 7);
    }

    @Test
    void replayedMessageFails() throws Exception {
        GcmSealer sealer = new GcmSealer(KEY);
        GcmSealer opener = new GcmSealer(KEY);
        byte[] first = seal(sealer, DATA, "one");
        open(opener, DATA, first);

        assertThatThrownBy(() -> open(opener, DATA, first)).isInstanceOf(SealException.class)
                .hasMessageContaining("cp2 message 1").hasMessageContaining("replayed");
    }

    @Test
    void droppedMessageMakesTheNextOneFail() throws Exception {
        GcmSealer sealer = new GcmSealer(KEY);
        GcmSealer opener = new GcmSealer(KEY);
        open(opener, DATA, seal(sealer, DATA, "one"));
        seal(sealer, DATA, "two, lost in transit");
        byte[] third = seal(sealer, DATA, "three");

        assertThatThrownBy(() -> open(opener, DATA, third)).isInstanceOf(SealException.class);
    }

    @Test
    void reorderedMessagesFail() {
        GcmSealer sealer = new GcmSealer(KEY);
        GcmSealer opener = new GcmSealer(KEY);
        seal(sealer, DATA, "one");
        byte[] second = seal(sealer, DATA, "two");

        assertThatThrownBy(() -> open(opener, DATA, second)).isInstanceOf(SealException.class);
    }

    @Test
    void messageUnderAnotherModeFails() throws Exception {
        byte[] sealed = seal(new GcmSealer(KEY), DATA, "a DATA block");
        GcmSealer opener = new GcmSealer(KEY);

        assertThatThrownBy(() -> open(opener, COMMIT, sealed)).isInstanceOf(SealException.class)
                .hasMessageContaining("aad 6");
        assertThat(open(opener, DATA, sealed)).isEqualTo("a DATA block");
    }

    @Test
    void flippedBitAnywhereFailsAndLeavesTheCounterInPlace() throws Exception {
        byte[] sealed = seal(new GcmSealer(KEY), DATA, "forty bytes of a sealed message payload.");
        GcmSealer opener = new GcmSealer(KEY);

        for (int bit = 0; bit < sealed.length * 8; bit++) {
            byte[] altered = SeedRecording.flipBit(sealed, bit);

            assertThatThrownBy(() -> open(opener, DATA, altered)).as("bit %d", bit).isInstanceOf(SealException.class);
        }
        assertThat(opener.counter()).isZero();
        assertThat(open(opener, DATA, sealed)).isEqualTo("forty bytes of a sealed message payload.");
    }

    @Test
    void messageShorterThanTheTagFailsNamingItsLength() {
        assertThatThrownBy(() -> new GcmSealer(KEY).open(DATA, new byte[15], 0, 15, new byte[0]))
                .isInstanceOf(SealException.class).hasMessageContaining("15 bytes");
    }

    @Test
    void anotherKeyFails() {
        byte[] sealed = seal(new GcmSealer(KEY), DATA, "x");
        byte[] otherKey = KEY.clone();
        otherKey[0] ^= 1;

        assertThatThrownBy(() -> open(new GcmSealer(otherKey), DATA, sealed)).isInstanceOf(SealException.class);
    }

    @Test
    void warmUpTakesWellUnderASecondOrTwo() {
        long start = System.nanoTime();

        GcmSealer.warmUp();

        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2000);
    }

    private static byte[] seal(GcmSealer sealer, long aad, String text) {
        byte[] plain = text.getBytes(StandardCharsets.UTF_8);
        byte[] sealed = new byte[plain.length + GcmSealer.TAG];
        sealer.seal(aad, plain, 0, plain.length, sealed);
        return sealed;
    }

    private static String open(GcmSealer opener, long aad, byte[] sealed) throws SealException {
        byte[] plain = new byte[sealed.length - GcmSealer.TAG];
        opener.open(aad, sealed, 0, sealed.length, plain);
        return new String(plain, StandardCharsets.UTF_8);
    }

    private static String sealHex(GcmSealer sealer, long aad, byte[] plain) {
        byte[] sealed = new byte[plain.length + GcmSealer.TAG];
        sealer.seal(aad, plain, 0, plain.length, sealed);
        return HEX.formatHex(sealed);
    }

    private static byte[] range32() {
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) i;
        }
        return key;
    }
}

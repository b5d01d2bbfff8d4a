package dev.ferry.security.rsa;

import dev.ferry.security.SeedRecording;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.IllegalBlockSizeException;
import java.security.KeyPair;
import java.security.interfaces.RSAKey;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RsaOaepTest {
    private static KeyPair rsa;

    @BeforeAll
    static void generateKey() throws Exception {
        rsa = SeedRecording.rsa2048();
    }

    @Test
    void rsa2048Carries190BytesIn256() {
        assertThat(RsaOaep.modulusBytes((RSAKey) rsa.getPublic())).isEqualTo(256);
        assertThat(RsaOaep.maxPlaintext((RSAKey) rsa.getPublic())).isEqualTo(190);
    }

    @Test
    void roundTripsEveryLengthUpTo190() throws Exception {
        for (int length : new int[] {0, 1, 44, 189, 190}) {
            byte[] plain = new byte[length];
            Arrays.fill(plain, (byte) length);

            byte[] cipher = RsaOaep.encrypt(rsa.getPublic(), plain);

            assertThat(cipher).hasSize(256);
            assertThat(RsaOaep.decrypt(rsa.getPrivate(), cipher)).as("length %d", length).isEqualTo(plain);
        }
    }

    @Test
    void plaintextAbove190BytesIsRefused() {
        assertThatThrownBy(() -> RsaOaep.encrypt(rsa.getPublic(), new byte[191]))
                .isInstanceOf(IllegalBlockSizeException.class).hasMessageContaining("191").hasMessageContaining("190");
    }

    @Test
    void ciphertextOfAnotherLengthIsRefused() throws Exception {
        byte[] cipher = RsaOaep.encrypt(rsa.getPublic(), new byte[10]);

        assertThatThrownBy(() -> RsaOaep.decrypt(rsa.getPrivate(), Arrays.copyOf(cipher, 255)))
                .isInstanceOf(IllegalBlockSizeException.class).hasMessageContaining("255").hasMessageContaining("256");
    }

    @Test
    void alteredCiphertextDoesNotDecrypt() throws Exception {
        byte[] cipher = RsaOaep.encrypt(rsa.getPublic(), new byte[10]);

        assertThatThrownBy(() -> RsaOaep.decrypt(rsa.getPrivate(), SeedRecording.flipBit(cipher, 100)))
                .isInstanceOf(BadPaddingException.class);
    }

    @Test
    void jdkDefaultOaepSha256UsesSha1InMgf1AndIsNotWhatTheSeedSpeaks() throws Exception {
        Cipher jdkDefault = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
        jdkDefault.init(Cipher.ENCRYPT_MODE, rsa.getPublic());

        byte[] cipher = jdkDefault.doFinal(new byte[10]);

        assertThatThrownBy(() -> RsaOaep.decrypt(rsa.getPrivate(), cipher)).isInstanceOf(BadPaddingException.class);
    }

    @Test
    void reusedCipherDecryptsChunkAfterChunk() throws Exception {
        Cipher decrypt = RsaOaep.newDecryptCipher(rsa.getPrivate());
        Cipher encrypt = RsaOaep.newEncryptCipher(rsa.getPublic());

        for (int i = 0; i < 5; i++) {
            byte[] plain = new byte[] {(byte) i, 1, 2};
            assertThat(decrypt.doFinal(encrypt.doFinal(plain))).isEqualTo(plain);
        }
    }
}

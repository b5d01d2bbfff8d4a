package dev.ferry.security;

import dev.ferry.security.cp1.Cp1Chunks;
import dev.ferry.security.cp2.Fernet;
import dev.ferry.security.cp2.FernetKey;
import dev.ferry.security.rsa.RsaOaep;
import dev.ferry.security.rsa.SeedSignatures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAKey;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The building blocks of ap, cp1 and cp2 against the original programs' recorded sessions. */
class SeedRecordingCryptoTest {
    private static PrivateKey serverKey;
    private static List<byte[]> files;

    @BeforeAll
    static void loadKeyAndFiles() throws Exception {
        serverKey = SeedRecording.serverPrivateKey();
        files = SeedRecording.files();
    }

    @Test
    void cp2KeyFrameUnwrapsToTheTextOfAFernetKey() throws Exception {
        byte[] wrapped = SeedRecording.payloads("cp2", SeedRecording.KEY).get(0);

        byte[] text = RsaOaep.decrypt(serverKey, wrapped);

        assertThat(wrapped).hasSize(256);
        assertThat(text).hasSize(44);
        FernetKey key = FernetKey.parse(new String(text, StandardCharsets.US_ASCII));
        assertThat(key.encode()).isEqualTo(new String(text, StandardCharsets.US_ASCII));
    }

    @Test
    void cp2DataTokensDecryptToTheRecordedFiles() throws Exception {
        Fernet fernet = cp2Fernet();
        List<byte[]> tokens = SeedRecording.payloads("cp2", SeedRecording.DATA);

        List<byte[]> decrypted = tokens.stream().map(t -> decrypt(fernet, t)).toList();

        assertThat(decrypted).hasSize(2);
        assertThat(decrypted.get(0)).isEqualTo(files.get(0));
        assertThat(decrypted.get(1)).isEqualTo(files.get(1));
    }

    @Test
    void cp2DataTokensStreamToTheRecordedFiles() throws Exception {
        Fernet fernet = cp2Fernet();
        List<byte[]> tokens = SeedRecording.payloads("cp2", SeedRecording.DATA);

        for (int i = 0; i < tokens.size(); i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            fernet.decrypt(new ByteArrayInputStream(tokens.get(i)), tokens.get(i).length, out);

            assertThat(out.toByteArray()).as("file %d", i).isEqualTo(files.get(i));
        }
    }

    @Test
    void cp2TokensHaveTheLengthOurFrameLimitsPredict() throws Exception {
        List<byte[]> tokens = SeedRecording.payloads("cp2", SeedRecording.DATA);

        assertThat(tokens.get(0).length).isEqualTo(Fernet.maxTokenLength(files.get(0).length));
        assertThat(tokens.get(1).length).isEqualTo(Fernet.maxTokenLength(files.get(1).length));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void cp1DataChunksDecodeToTheRecordedFiles(int threads) throws Exception {
        List<byte[]> encoded = SeedRecording.payloads("cp1", SeedRecording.DATA);

        try (Cp1Chunks chunks = new Cp1Chunks(serverKey, null, threads)) {
            for (int i = 0; i < encoded.size(); i++) {
                byte[] dst = new byte[chunks.maxPlainLength(encoded.get(i).length)];
                int n = chunks.decode(encoded.get(i), 0, encoded.get(i).length, dst);

                assertThat(Arrays.copyOf(dst, n)).as("file %d", i).isEqualTo(files.get(i));
            }
        }
        assertThat(encoded).hasSize(2);
        assertThat(encoded.get(1).length).isEqualTo(256 * ((files.get(1).length + 189) / 190));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ap", "cp1", "cp2"})
    void authAnswerVerifiesOverTheSessionsAuthMessage(String protocol) throws Exception {
        byte[] auth = SeedRecording.payloads(protocol, SeedRecording.AUTH).get(0);
        SeedRecording.AuthAnswer answer = SeedRecording.authAnswer(protocol);
        PublicKey certified = SeedRecording.certificate(answer.certificatePem()).getPublicKey();

        assertThat(SeedSignatures.verify(certified, auth, answer.signature())).isTrue();
        assertThat(SeedSignatures.saltLength((RSAKey) certified)).isEqualTo(222);
        assertThat(SeedSignatures.verify(certified, SeedRecording.flipBit(auth, 3), answer.signature())).isFalse();
        assertThat(SeedSignatures.verify(certified, auth, SeedRecording.flipBit(answer.signature(), 1000))).isFalse();
    }

    private static Fernet cp2Fernet() throws Exception {
        byte[] text = RsaOaep.decrypt(serverKey, SeedRecording.payloads("cp2", SeedRecording.KEY).get(0));
        return new Fernet(FernetKey.parse(new String(text, StandardCharsets.US_ASCII)));
    }

    private static byte[] decrypt(Fernet fernet, byte[] token) {
        try {
            return fernet.decrypt(token);
        } catch (SealException e) {
            throw new AssertionError(e);
        }
    }
}

package dev.ferry.security.rsa;

import dev.ferry.security.SeedRecording;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SeedSignaturesTest {
    private static final byte[] MESSAGE = "0123456789abcdef vector ap".getBytes(StandardCharsets.UTF_8);
    private static KeyPair rsa;

    @BeforeAll
    static void generateKey() throws Exception {
        rsa = SeedRecording.rsa2048();
    }

    @Test
    void saltIsTheMaximumForSha256() {
        assertThat(SeedSignatures.saltLength((RSAKey) rsa.getPublic())).isEqualTo(222);
    }

    @Test
    void saltFollowsTheEncodedMessageLengthForOddModulusSizes() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1025);

        RSAKey odd = (RSAKey) generator.generateKeyPair().getPublic();

        // emLen = ceil((1025 - 1) / 8) = 128 although k = 129 (RFC 8017 section 9.1.1).
        assertThat(SeedSignatures.saltLength(odd)).isEqualTo(128 - 34);
    }

    @Test
    void signatureVerifiesAndIsModulusSized() throws Exception {
        byte[] signature = SeedSignatures.sign(rsa.getPrivate(), MESSAGE);

        assertThat(signature).hasSize(256);
        assertThat(SeedSignatures.verify(rsa.getPublic(), MESSAGE, signature)).isTrue();
    }

    @Test
    void signatureIsRandomisedBySalt() throws Exception {
        byte[] first = SeedSignatures.sign(rsa.getPrivate(), MESSAGE);
        byte[] second = SeedSignatures.sign(rsa.getPrivate(), MESSAGE);

        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void alteredMessageOrSignatureDoesNotVerify() throws Exception {
        byte[] signature = SeedSignatures.sign(rsa.getPrivate(), MESSAGE);

        assertThat(SeedSignatures.verify(rsa.getPublic(), SeedRecording.flipBit(MESSAGE, 0), signature)).isFalse();
        assertThat(SeedSignatures.verify(rsa.getPublic(), MESSAGE, SeedRecording.flipBit(signature, 2047))).isFalse();
        assertThat(SeedSignatures.verify(rsa.getPublic(), MESSAGE, new byte[255])).isFalse();
    }

    @Test
    void signatureWithAnotherSaltLengthIsRejectedLikeTheSeedClientDoes() throws Exception {
        Signature shortSalt = Signature.getInstance("RSASSA-PSS");
        shortSalt.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        shortSalt.initSign(rsa.getPrivate());
        shortSalt.update(MESSAGE);

        byte[] signature = shortSalt.sign();

        assertThat(SeedSignatures.verify(rsa.getPublic(), MESSAGE, signature)).isFalse();
    }

    @Test
    void multiPartSignerMatchesOneShotVerifier() throws Exception {
        Signature signer = SeedSignatures.signer(rsa.getPrivate());
        signer.update(MESSAGE, 0, 10);
        signer.update(MESSAGE, 10, MESSAGE.length - 10);

        byte[] signature = signer.sign();

        assertThat(SeedSignatures.verify(rsa.getPublic(), MESSAGE, signature)).isTrue();
    }

    @Test
    void nonRsaKeyIsRefusedWithItsAlgorithm() throws Exception {
        KeyPair ec = KeyPairGenerator.getInstance("EC").generateKeyPair();

        assertThatThrownBy(() -> SeedSignatures.sign(ec.getPrivate(), MESSAGE))
                .isInstanceOf(InvalidKeyException.class).hasMessageContaining("EC");
    }
}

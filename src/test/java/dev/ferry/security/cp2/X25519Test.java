package dev.ferry.security.cp2;

import dev.ferry.security.HandshakeException;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RFC 7748 section 6.1 and the raw public key form. */
class X25519Test {
    private static final HexFormat HEX = HexFormat.of();
    private static final String ALICE_PRIVATE = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
    private static final String ALICE_PUBLIC = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
    private static final String BOB_PRIVATE = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
    private static final String BOB_PUBLIC = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
    private static final String SHARED = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

    @Test
    void rfc7748Section61KnownAnswers() throws Exception {
        PrivateKey alice = X25519.privateKey(HEX.parseHex(ALICE_PRIVATE));
        PrivateKey bob = X25519.privateKey(HEX.parseHex(BOB_PRIVATE));
        PublicKey basePoint = X25519.decode(HEX.parseHex("09" + "00".repeat(31)));

        assertThat(HEX.formatHex(X25519.agree(alice, basePoint))).isEqualTo(ALICE_PUBLIC);
        assertThat(HEX.formatHex(X25519.agree(bob, basePoint))).isEqualTo(BOB_PUBLIC);
        assertThat(HEX.formatHex(X25519.agree(alice, X25519.decode(HEX.parseHex(BOB_PUBLIC))))).isEqualTo(SHARED);
        assertThat(HEX.formatHex(X25519.agree(bob, X25519.decode(HEX.parseHex(ALICE_PUBLIC))))).isEqualTo(SHARED);
    }

    @Test
    void rawPublicKeyRoundTrips() throws Exception {
        byte[] raw = HEX.parseHex(ALICE_PUBLIC);

        assertThat(X25519.encode(X25519.decode(raw))).isEqualTo(raw);
    }

    @Test
    void generatedPairsAgreeBothWays() throws Exception {
        SecureRandom random = new SecureRandom();
        KeyPair server = X25519.generate(random);
        KeyPair client = X25519.generate(random);

        byte[] serverShare = X25519.encode(server.getPublic());
        byte[] clientSide = X25519.agree(client.getPrivate(), X25519.decode(serverShare));
        byte[] serverSide = X25519.agree(server.getPrivate(), X25519.decode(X25519.encode(client.getPublic())));

        assertThat(serverShare).hasSize(32);
        assertThat(clientSide).hasSize(32).isEqualTo(serverSide);
    }

    @Test
    void topBitOfThePeerKeyIsMasked() throws Exception {
        byte[] raw = HEX.parseHex(BOB_PUBLIC);
        byte[] withTopBit = raw.clone();
        withTopBit[31] |= (byte) 0x80;
        PrivateKey alice = X25519.privateKey(HEX.parseHex(ALICE_PRIVATE));

        assertThat(HEX.formatHex(X25519.agree(alice, X25519.decode(withTopBit)))).isEqualTo(SHARED);
    }

    @Test
    void smallOrderShareIsRefused() throws Exception {
        PrivateKey own = X25519.generate(new SecureRandom()).getPrivate();
        PublicKey zero = X25519.decode(new byte[32]);

        assertThatThrownBy(() -> X25519.agree(own, zero)).isInstanceOf(HandshakeException.class)
                .hasMessageContaining("small-order");
    }

    @Test
    void shareOfAnotherLengthIsRefused() {
        assertThatThrownBy(() -> X25519.decode(new byte[31])).isInstanceOf(HandshakeException.class)
                .hasMessageContaining("31");
    }
}

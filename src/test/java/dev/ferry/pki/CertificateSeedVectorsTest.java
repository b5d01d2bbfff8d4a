package dev.ferry.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The CA, certificate and key of the original programs (made with openssl) work unchanged. */
class CertificateSeedVectorsTest {
    // Inside the seed certificates' validity (2026-11-25 to 2036-11-22).
    private static final Clock INSIDE_VALIDITY = Clock.fixed(Instant.parse("2030-06-01T00:00:00Z"), ZoneOffset.UTC);

    private static X509Certificate seedCa;
    private static List<X509Certificate> serverChain;
    private static CertificateValidator validator;

    @BeforeAll
    static void readSeedFiles() throws Exception {
        seedCa = Pem.readCertificates(resource("cacsertificate.crt")).get(0);
        serverChain = Pem.readCertificates(resource("server_signed.crt"));
        validator = new CertificateValidator(seedCa, INSIDE_VALIDITY, 2048);
    }

    static Path resource(String name) throws URISyntaxException {
        return Path.of(CertificateSeedVectorsTest.class.getResource("/seed-vectors/" + name).toURI());
    }

    @Test
    void seedKeyLoadsAndBelongsToTheSeedServerCertificate() throws Exception {
        PrivateKey key = Pem.readPrivateKey(resource("server_private_key.test-only.pem"));

        assertThat(key).isInstanceOf(RSAPrivateCrtKey.class);
        assertThat(((RSAPrivateCrtKey) key).getModulus())
                .isEqualTo(((RSAPublicKey) serverChain.get(0).getPublicKey()).getModulus());
    }

    @Test
    void seedServerCertificateValidatesForLocalhostAndItsAddress() throws Exception {
        X509Certificate byName = validator.validateServer(serverChain, "localhost");
        X509Certificate byAddress = validator.validateServer(serverChain, "127.0.0.1");

        assertThat(byName).isEqualTo(serverChain.get(0));
        assertThat(byAddress).isEqualTo(serverChain.get(0));
    }

    @Test
    void seedServerCertificateIsRefusedForAnotherName() {
        assertThatThrownBy(() -> validator.validateServer(serverChain, "example.org"))
                .isInstanceOf(CertificateCheckException.class)
                .hasMessageContaining("server name 'example.org' is not in the certificate's names"
                        + " [localhost, 127.0.0.1]");
    }

    @Test
    void seedServerCertificateIsRefusedBeforeItsValidity() {
        CertificateValidator early = new CertificateValidator(seedCa,
                Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC), 2048);

        assertThatThrownBy(() -> early.validateServer(serverChain, "localhost"))
                .hasMessageContaining("certificate CN=localhost is not yet valid until 2026-11-25T20:04:31Z"
                        + " (now 2026-01-01T00:00:00Z)");
    }
}

package dev.ferry.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {
    private static final Duration YEAR = Duration.ofDays(365);
    private static final String BASIC_CONSTRAINTS = "2.5.29.19";
    private static final String KEY_USAGE = "2.5.29.15";

    private static CertificateAuthority ca;
    private static CertificateAuthority otherCa;
    private static KeyPair leafKeys;

    @TempDir
    Path dir;

    @BeforeAll
    static void mint() throws PkiException {
        ca = CertificateAuthority.create("Ferry Test CA", 2048, YEAR);
        otherCa = CertificateAuthority.create("Other CA", 2048, YEAR);
        leafKeys = CertificateAuthority.rsaKeyPair(2048);
    }

    @Test
    void createMakesASelfSignedCaWithCriticalConstraintsAndUsage() throws Exception {
        X509Certificate certificate = ca.certificate();

        certificate.verify(certificate.getPublicKey());
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=Ferry Test CA");
        assertThat(certificate.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(certificate.getKeyUsage()).startsWith(false, false, false, false, false, true, true);
        assertThat(certificate.getCriticalExtensionOIDs()).contains(BASIC_CONSTRAINTS, KEY_USAGE);
        assertThat(certificate.getExtensionValue("2.5.29.14")).as("subject key identifier").isNotNull();
        assertThat(ca.intermediates()).isEmpty();
    }

    @Test
    void serverCertificateCarriesEveryNameAndServerUsage() throws Exception {
        X509Certificate server = ca.issueServer(leafKeys.getPublic(), List.of("files.example", "10.0.0.5", "::1"),
                YEAR);

        assertThat(server.getSubjectX500Principal().getName()).isEqualTo("CN=files.example");
        assertThat(server.getSubjectAlternativeNames()).containsExactly(
                List.of(2, "files.example"), List.of(7, "10.0.0.5"), List.of(7, "0:0:0:0:0:0:0:1"));
        assertThat(server.getKeyUsage()).startsWith(true, false, true, false);
        assertThat(server.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(server.getBasicConstraints()).isEqualTo(-1);
        assertThat(server.getExtensionValue("2.5.29.35")).as("authority key identifier").isNotNull();
        assertThat(server.getSerialNumber().bitLength()).isBetween(64, 127);
    }

    @Test
    void clientCertificateCarriesItsNameAndClientUsage() throws Exception {
        X509Certificate client = ca.issueClient(leafKeys.getPublic(), "alice", YEAR);

        assertThat(client.getSubjectX500Principal().getName()).isEqualTo("CN=alice");
        assertThat(client.getSubjectAlternativeNames()).isNull();
        assertThat(client.getKeyUsage()).startsWith(true, false, false, false);
        assertThat(client.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    }

    @Test
    void certificatesNeverOutliveTheirCa() throws PkiException {
        X509Certificate server = ca.issueServer(leafKeys.getPublic(), List.of("localhost"), Duration.ofDays(5000));

        assertThat(server.getNotAfter()).isEqualTo(ca.certificate().getNotAfter());
    }

    @Test
    void serialNumbersAreRandom() throws PkiException {
        X509Certificate first = ca.issueClient(leafKeys.getPublic(), "alice", YEAR);
        X509Certificate second = ca.issueClient(leafKeys.getPublic(), "alice", YEAR);

        assertThat(first.getSerialNumber()).isNotEqualTo(second.getSerialNumber());
    }

    @Test
    void refusesServerNamesThatAreNotNames() {
        assertThatThrownBy(() -> ca.issueServer(leafKeys.getPublic(), List.of("localhost", "bad name"), YEAR))
                .isInstanceOf(PkiException.class)
                .hasMessageContaining("'bad name' is not a DNS name or IP address");
    }

    @Test
    void loadedCaIssuesCertificatesThatValidate() throws Exception {
        Pem.writeCertificates(dir.resolve("ca.crt"), List.of(ca.certificate()), false);
        Pem.writePrivateKey(dir.resolve("ca.key"), ca.privateKey(), false);

        CertificateAuthority loaded = CertificateAuthority.load(dir.resolve("ca.crt"), dir.resolve("ca.key"));
        X509Certificate client = loaded.issueClient(leafKeys.getPublic(), "alice", YEAR);

        CertificateValidator validator = new CertificateValidator(ca.certificate(), Clock.systemUTC(), 2048);
        assertThat(validator.validateClient(List.of(client), Set.of("alice"))).isEqualTo("alice");
    }

    @Test
    void loadedIntermediateCaKnowsTheChainAboveIt() throws Exception {
        CertificateAuthority intermediate = ca.issueIntermediate("Ferry Intermediate CA", 2048, YEAR);
        Pem.writeCertificates(dir.resolve("ca.crt"), List.of(intermediate.certificate(), ca.certificate()), false);
        Pem.writePrivateKey(dir.resolve("ca.key"), intermediate.privateKey(), false);

        CertificateAuthority loaded = CertificateAuthority.load(dir.resolve("ca.crt"), dir.resolve("ca.key"));

        assertThat(loaded.intermediates()).containsExactly(intermediate.certificate());
    }

    @Test
    void loadRefusesAKeyOfAnotherCa() throws Exception {
        Pem.writeCertificates(dir.resolve("ca.crt"), List.of(ca.certificate()), false);
        Pem.writePrivateKey(dir.resolve("ca.key"), otherCa.privateKey(), false);

        assertThatThrownBy(() -> CertificateAuthority.load(dir.resolve("ca.crt"), dir.resolve("ca.key")))
                .isInstanceOf(PkiException.class)
                .hasMessageContaining("the private key " + dir.resolve("ca.key") + " does not belong to the CA"
                        + " certificate CN=Ferry Test CA in " + dir.resolve("ca.crt"));
    }

    @Test
    void loadRefusesACertificateThatIsNotACa() throws Exception {
        X509Certificate server = ca.issueServer(leafKeys.getPublic(), List.of("localhost"), YEAR);
        Pem.writeCertificates(dir.resolve("server.crt"), List.of(server), false);
        Pem.writePrivateKey(dir.resolve("server.key"), leafKeys.getPrivate(), false);

        assertThatThrownBy(() -> CertificateAuthority.load(dir.resolve("server.crt"), dir.resolve("server.key")))
                .hasMessageContaining("certificate CN=localhost in " + dir.resolve("server.crt")
                        + " is not a CA certificate");
    }
}

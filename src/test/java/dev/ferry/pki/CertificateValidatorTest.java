package dev.ferry.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CertificateValidatorTest {
    private static final Duration YEAR = Duration.ofDays(365);

    private static CertificateAuthority ca;
    private static CertificateAuthority otherCa;
    private static CertificateAuthority intermediate;
    private static KeyPair leafKeys;
    private static Instant now;
    private static CertificateValidator validator;

    @BeforeAll
    static void mintAuthorities() throws PkiException {
        ca = CertificateAuthority.create("Ferry Test CA", 2048, YEAR);
        otherCa = CertificateAuthority.create("Other CA", 2048, YEAR);
        intermediate = ca.issueIntermediate("Ferry Intermediate CA", 2048, YEAR);
        leafKeys = CertificateAuthority.rsaKeyPair(2048);
        now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        validator = new CertificateValidator(ca.certificate(), Clock.fixed(now, ZoneOffset.UTC), 2048);
    }

    private static X509Certificate server(CertificateAuthority issuer, String cn, List<String> sanNames)
            throws PkiException {
        return issuer.issue(leafKeys.getPublic(), cn, sanNames, now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30)), true, null);
    }

    private static X509Certificate localhost() throws PkiException {
        return ca.issueServer(leafKeys.getPublic(), List.of("localhost", "127.0.0.1"), YEAR);
    }

    @Test
    void acceptsServerCertificateForEachOfItsNames() throws PkiException {
        X509Certificate leaf = localhost();

        X509Certificate byName = validator.validateServer(List.of(leaf), "localhost");
        X509Certificate byAddress = validator.validateServer(List.of(leaf), "127.0.0.1");

        assertThat(byName).isEqualTo(leaf);
        assertThat(byAddress).isEqualTo(leaf);
        assertThat(validator.validateServer(List.of(leaf), "LOCALHOST.")).isEqualTo(leaf);
    }

    @Test
    void refusesCertificateSignedByAnotherCa() throws PkiException {
        X509Certificate evil = server(otherCa, "evil", List.of("localhost"));

        assertThatThrownBy(() -> validator.validateServer(List.of(evil), "localhost"))
                .isInstanceOf(CertificateCheckException.class)
                .hasMessageContaining("certificate CN=evil is not signed by the configured CA CN=Ferry Test CA"
                        + " (ferry.security.ca-cert); the chain presented: [CN=evil issued by CN=Other CA]");
    }

    @Test
    void refusesCertificateFromAnotherCaWithTheSameName() throws PkiException {
        CertificateAuthority impostor = CertificateAuthority.create("Ferry Test CA", 2048, YEAR);
        X509Certificate evil = server(impostor, "localhost", List.of("localhost"));

        assertThatThrownBy(() -> validator.validateServer(List.of(evil), "localhost"))
                .hasMessageContaining("names the configured CA CN=Ferry Test CA (ferry.security.ca-cert) as its"
                        + " issuer, but its signature does not verify with that CA's key");
    }

    @Test
    void refusesExpiredCertificate() throws PkiException {
        Instant notAfter = now.minus(Duration.ofDays(1));
        X509Certificate expired = ca.issue(leafKeys.getPublic(), "localhost", List.of("localhost"),
                now.minus(Duration.ofDays(10)), notAfter, true, null);

        assertThatThrownBy(() -> validator.validateServer(List.of(expired), "localhost"))
                .hasMessageContaining("certificate CN=localhost expired on " + notAfter + " (now " + now + ")");
    }

    @Test
    void refusesCertificateNotYetValid() throws PkiException {
        Instant notBefore = now.plus(Duration.ofDays(2));
        X509Certificate future = ca.issue(leafKeys.getPublic(), "localhost", List.of("localhost"),
                notBefore, now.plus(Duration.ofDays(10)), true, null);

        assertThatThrownBy(() -> validator.validateServer(List.of(future), "localhost"))
                .hasMessageContaining("certificate CN=localhost is not yet valid until " + notBefore
                        + " (now " + now + ")");
    }

    @Test
    void refusesServerNameNotInTheCertificate() throws PkiException {
        X509Certificate leaf = localhost();

        assertThatThrownBy(() -> validator.validateServer(List.of(leaf), "example.org"))
                .hasMessageContaining("server name 'example.org' is not in the certificate's names"
                        + " [localhost, 127.0.0.1]; set ferry.security.expected-server-name or issue a certificate"
                        + " for that name (ferry certs init --name example.org)");
    }

    @Test
    void wildcardMatchesExactlyOneLeftMostLabel() throws PkiException {
        X509Certificate leaf = server(ca, "*.example.com", List.of("*.example.com"));

        X509Certificate accepted = validator.validateServer(List.of(leaf), "files.Example.COM");

        assertThat(accepted).isEqualTo(leaf);
    }

    @Test
    void wildcardDoesNotMatchTheBareDomainOrDeeperNames() throws PkiException {
        X509Certificate leaf = server(ca, "*.example.com", List.of("*.example.com"));

        assertThatThrownBy(() -> validator.validateServer(List.of(leaf), "example.com"))
                .hasMessageContaining("server name 'example.com' is not in the certificate's names [*.example.com]");
        assertThatThrownBy(() -> validator.validateServer(List.of(leaf), "a.b.example.com"))
                .hasMessageContaining("server name 'a.b.example.com' is not in the certificate's names");
    }

    @Test
    void ipAddressMatchesIpSubjectAltNamesOnly() throws PkiException {
        X509Certificate leaf = server(ca, "files", List.of("files", "10.0.0.5", "::1"));

        assertThat(validator.validateServer(List.of(leaf), "10.0.0.5")).isEqualTo(leaf);
        assertThat(validator.validateServer(List.of(leaf), "[0:0:0:0:0:0:0:1]")).isEqualTo(leaf);
        assertThatThrownBy(() -> validator.validateServer(List.of(leaf), "10.0.0.6"))
                .hasMessageContaining("server name '10.0.0.6' is not in the certificate's names"
                        + " [files, 10.0.0.5, 0:0:0:0:0:0:0:1]");
    }

    @Test
    void ipLiteralIsNotMatchedByADnsNameThatLooksLikeIt() throws PkiException {
        X509Certificate leaf = server(ca, "10.0.0.7", List.of("files"));

        assertThatThrownBy(() -> validator.validateServer(List.of(leaf), "10.0.0.7"))
                .hasMessageContaining("server name '10.0.0.7' is not in the certificate's names [files]");
    }

    @Test
    void commonNameCountsOnlyWithoutSubjectAltNames() throws PkiException {
        X509Certificate legacy = server(ca, "legacy.example", List.of());
        X509Certificate modern = server(ca, "legacy.example", List.of("other.example"));

        assertThat(validator.validateServer(List.of(legacy), "legacy.example")).isEqualTo(legacy);
        assertThatThrownBy(() -> validator.validateServer(List.of(modern), "legacy.example"))
                .hasMessageContaining("server name 'legacy.example' is not in the certificate's names"
                        + " [other.example] (its CN legacy.example does not count, because the certificate has"
                        + " subjectAltNames)");
    }

    @Test
    void refusesKeyUsageWithoutDigitalSignature() throws PkiException {
        boolean[] keyEnciphermentOnly = {false, false, true};
        X509Certificate leaf = ca.issue(leafKeys.getPublic(), "x", List.of("x"), now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(1)), true, keyEnciphermentOnly);

        assertThatThrownBy(() -> validator.validateServer(List.of(leaf), "x"))
                .hasMessageContaining("certificate CN=x has key usage [keyEncipherment] without digitalSignature,"
                        + " so it cannot sign the handshake");
    }

    @Test
    void refusesRsaKeyBelowTheMinimum() throws PkiException {
        KeyPair weak = CertificateAuthority.rsaKeyPair(1024);
        X509Certificate leaf = ca.issue(weak.getPublic(), "x", List.of("x"), now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(1)), true, null);

        assertThatThrownBy(() -> validator.validateServer(List.of(leaf), "x"))
                .hasMessageContaining("certificate CN=x has a 1024-bit RSA key; at least 2048 bits are required");
    }

    @Test
    void refusesClientCertificatePresentedAsServerCertificate() throws PkiException {
        X509Certificate client = ca.issueClient(leafKeys.getPublic(), "localhost", YEAR);

        assertThatThrownBy(() -> validator.validateServer(List.of(client), "localhost"))
                .hasMessageContaining("certificate CN=localhost has extended key usage [clientAuth] without"
                        + " serverAuth, so it is not a server certificate");
    }

    @Test
    void acceptsChainThroughAnIntermediateCa() throws PkiException {
        X509Certificate leaf = server(intermediate, "files.example", List.of("files.example"));

        X509Certificate accepted = validator.validateServer(
                List.of(leaf, intermediate.certificate()), "files.example");

        assertThat(accepted).isEqualTo(leaf);
    }

    @Test
    void acceptsIntermediatesInAnyOrderAndACopyOfTheAnchor() throws PkiException {
        X509Certificate leaf = server(intermediate, "files.example", List.of("files.example"));

        X509Certificate accepted = validator.validateServer(
                List.of(leaf, ca.certificate(), intermediate.certificate()), "files.example");

        assertThat(accepted).isEqualTo(leaf);
    }

    @Test
    void refusesChainWithoutItsIntermediate() throws PkiException {
        X509Certificate leaf = server(intermediate, "files.example", List.of("files.example"));

        assertThatThrownBy(() -> validator.validateServer(List.of(leaf), "files.example"))
                .hasMessageContaining("certificate CN=files.example is not signed by the configured CA"
                        + " CN=Ferry Test CA (ferry.security.ca-cert); the chain presented:"
                        + " [CN=files.example issued by CN=Ferry Intermediate CA]")
                .hasMessageContaining("the peer must send that CA's certificate after its own");
    }

    @Test
    void refusesChainThroughACertificateThatIsNotACa() throws PkiException {
        X509Certificate notCa = localhost();
        KeyPair victimKeys = CertificateAuthority.rsaKeyPair(2048);
        X509Certificate forged = CertificateSigner.sign(notCa, leafKeys.getPrivate(), victimKeys.getPublic(),
                "victim", List.of("victim"), now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(1)),
                CertificateSigner.Kind.SERVER, null);

        assertThatThrownBy(() -> validator.validateServer(List.of(forged, notCa), "victim"))
                .hasMessageContaining("the chain [CN=victim issued by CN=localhost, CN=localhost issued by"
                        + " CN=Ferry Test CA] does not validate against the configured CA CN=Ferry Test CA"
                        + " (ferry.security.ca-cert) at certificate CN=localhost: ");
    }

    @Test
    void refusesTheCaCertificateItselfAndAnEmptyChain() {
        assertThatThrownBy(() -> validator.validateServer(List.of(ca.certificate()), "localhost"))
                .hasMessageContaining("presented the configured CA CN=Ferry Test CA (ferry.security.ca-cert) itself");
        assertThatThrownBy(() -> validator.validateServer(List.of(), "localhost"))
                .hasMessageContaining("the peer presented no certificate");
    }

    @Test
    void escapesControlCharactersOfPeerNamesInMessages() throws PkiException {
        X509Certificate evil = server(otherCa, "evil\nINFO forged line", List.of("localhost"));

        assertThatThrownBy(() -> validator.validateServer(List.of(evil), "localhost"))
                .hasMessageContaining("certificate CN=evil\\u000AINFO forged line is not signed")
                .hasMessageNotContaining("\n");
    }

    @Test
    void acceptsAnyClientSignedByTheCaWhenThereIsNoAllowList() throws PkiException {
        X509Certificate alice = ca.issueClient(leafKeys.getPublic(), "alice", YEAR);

        String name = validator.validateClient(List.of(alice), Set.of());

        assertThat(name).isEqualTo("alice");
    }

    @Test
    void acceptsClientOnTheAllowList() throws PkiException {
        X509Certificate alice = ca.issueClient(leafKeys.getPublic(), "alice", YEAR);

        String name = validator.validateClient(List.of(alice), Set.of("alice", "carol"));

        assertThat(name).isEqualTo("alice");
    }

    @Test
    void refusesClientNotOnTheAllowList() throws PkiException {
        X509Certificate bob = ca.issueClient(leafKeys.getPublic(), "bob", YEAR);

        assertThatThrownBy(() -> validator.validateClient(List.of(bob), Set.of("alice")))
                .isInstanceOf(CertificateCheckException.class)
                .hasMessageContaining("client CN=bob is not in ferry.server.allowed-clients [alice]");
    }

    @Test
    void refusesServerCertificatePresentedAsClientCertificate() throws PkiException {
        X509Certificate server = localhost();

        assertThatThrownBy(() -> validator.validateClient(List.of(server), Set.of()))
                .hasMessageContaining("has extended key usage [serverAuth] without clientAuth, so it is not a client"
                        + " certificate");
    }

    @Test
    void refusesClientFromAnotherCa() throws PkiException {
        X509Certificate mallory = otherCa.issueClient(leafKeys.getPublic(), "alice", YEAR);

        assertThatThrownBy(() -> validator.validateClient(List.of(mallory), Set.of("alice")))
                .hasMessageContaining("certificate CN=alice is not signed by the configured CA CN=Ferry Test CA");
    }
}

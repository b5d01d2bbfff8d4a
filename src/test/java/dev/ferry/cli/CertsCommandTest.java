package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.pki.CertificateValidator;
import dev.ferry.pki.Pem;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertsCommandTest {

    @TempDir
    Path dir;

    /** What a run printed and returned. */
    private record Run(int exitCode, String out, String err) {
    }

    private static Run ferry(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    private CertificateValidator validator() throws Exception {
        return new CertificateValidator(Pem.readCertificates(dir.resolve("ca.crt")).get(0), Clock.systemUTC(), 2048);
    }

    private static String permissions(Path file) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    @Test
    void initWritesCaAndServerCertificateForTheDefaultNames() throws Exception {
        Run run = ferry("certs", "init", "--dir", dir.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(dir.resolve("ca.key")).exists();
        assertThat(dir.resolve("server.key")).exists();
        assertThat(permissions(dir.resolve("ca.key"))).isEqualTo("rw-------");
        assertThat(permissions(dir.resolve("server.key"))).isEqualTo("rw-------");
        assertThat(run.out()).contains("wrote " + dir.resolve("ca.key")).contains("SHA-256 fingerprint: ");
        List<X509Certificate> chain = Pem.readCertificates(dir.resolve("server.crt"));
        CertificateValidator validator = validator();
        assertThat(validator.validateServer(chain, "localhost")).isEqualTo(chain.get(0));
        assertThat(validator.validateServer(chain, "127.0.0.1")).isEqualTo(chain.get(0));
        assertThat(Pem.readPrivateKey(dir.resolve("server.key")).getAlgorithm()).isEqualTo("RSA");
    }

    @Test
    void initUsesTheGivenNamesInstead() throws Exception {
        Run run = ferry("certs", "init", "--dir", dir.toString(), "--name", "files.example.com",
                "--name", "10.0.0.5", "--bits", "2048", "--days", "30");

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<X509Certificate> chain = Pem.readCertificates(dir.resolve("server.crt"));
        assertThat(validator().validateServer(chain, "files.example.com")).isEqualTo(chain.get(0));
        assertThat(validator().validateServer(chain, "10.0.0.5")).isEqualTo(chain.get(0));
        assertThat(chain.get(0).getSubjectX500Principal().getName()).isEqualTo("CN=files.example.com");
    }

    @Test
    void secondInitRefusesToOverwriteWithoutForce() throws Exception {
        assertThat(ferry("certs", "init", "--dir", dir.toString()).exitCode()).isZero();
        byte[] caKey = Files.readAllBytes(dir.resolve("ca.key"));
        byte[] serverCert = Files.readAllBytes(dir.resolve("server.crt"));

        Run again = ferry("certs", "init", "--dir", dir.toString());

        assertThat(again.exitCode()).isNotZero();
        assertThat(again.err()).contains(dir.resolve("ca.key").toString()).contains("--force")
                .doesNotContain("unexpected error");
        assertThat(Files.readAllBytes(dir.resolve("ca.key"))).isEqualTo(caKey);
        assertThat(Files.readAllBytes(dir.resolve("server.crt"))).isEqualTo(serverCert);
    }

    @Test
    void initWithForceReplacesTheFiles() throws Exception {
        assertThat(ferry("certs", "init", "--dir", dir.toString()).exitCode()).isZero();
        byte[] caCert = Files.readAllBytes(dir.resolve("ca.crt"));

        Run forced = ferry("certs", "init", "--dir", dir.toString(), "--force");

        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("ca.crt"))).isNotEqualTo(caCert);
        assertThat(permissions(dir.resolve("ca.key"))).isEqualTo("rw-------");
    }

    @Test
    void clientCertificateIsSignedByTheCaOfTheFolder() throws Exception {
        assertThat(ferry("certs", "init", "--dir", dir.toString()).exitCode()).isZero();

        Run run = ferry("certs", "client", "alice", "--dir", dir.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(permissions(dir.resolve("client-alice.key"))).isEqualTo("rw-------");
        List<X509Certificate> chain = Pem.readCertificates(dir.resolve("client-alice.crt"));
        assertThat(validator().validateClient(chain, Set.of("alice"))).isEqualTo("alice");
    }

    @Test
    void clientWithoutCaFailsWithTheFix() {
        Run run = ferry("certs", "client", "alice", "--dir", dir.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("no CA in " + dir).contains("ferry certs init --dir " + dir)
                .doesNotContain("unexpected error");
        assertThat(dir.resolve("client-alice.key")).doesNotExist();
    }

    @Test
    void badUsageExitsWithTwo() {
        Run bits = ferry("certs", "init", "--dir", dir.toString(), "--bits", "1000");
        Run name = ferry("certs", "init", "--dir", dir.toString(), "--name", "bad name!");
        Run client = ferry("certs", "client", "../evil", "--dir", dir.toString());

        assertThat(bits.exitCode()).isEqualTo(2);
        assertThat(bits.err()).contains("--bits must be 2048, 3072 or 4096, got 1000");
        assertThat(name.exitCode()).isEqualTo(2);
        assertThat(name.err()).contains("'bad name!' is not a DNS name or IP address");
        assertThat(client.exitCode()).isEqualTo(2);
        assertThat(client.err()).contains("client name '../evil' is not allowed");
        assertThat(dir.resolve("ca.key")).doesNotExist();
    }
}

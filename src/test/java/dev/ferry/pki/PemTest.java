package dev.ferry.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemTest {
    private static final Duration YEAR = Duration.ofDays(365);

    private static KeyPair keys;
    private static List<X509Certificate> chain;

    @TempDir
    Path dir;

    @BeforeAll
    static void mint() throws PkiException {
        CertificateAuthority root = CertificateAuthority.create("Pem Test CA", 2048, YEAR);
        CertificateAuthority intermediate = root.issueIntermediate("Pem Intermediate CA", 2048, YEAR);
        keys = CertificateAuthority.rsaKeyPair(2048);
        X509Certificate leaf = intermediate.issueServer(keys.getPublic(), List.of("localhost"), YEAR);
        chain = List.of(leaf, intermediate.certificate());
    }

    @Test
    void privateKeyRoundTripsWithOwnerOnlyPermissions() throws Exception {
        Path file = dir.resolve("server.key");

        Pem.writePrivateKey(file, keys.getPrivate(), false);
        PrivateKey read = Pem.readPrivateKey(file);

        assertThat(read.getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
        assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void chainRoundTripsInOrder() throws Exception {
        Path file = dir.resolve("server.crt");

        Pem.writeCertificates(file, chain, false);

        assertThat(Pem.readCertificates(file)).containsExactlyElementsOf(chain);
        assertThat(Pem.readCertificates(Pem.certificatesToPem(chain).getBytes(StandardCharsets.US_ASCII)))
                .containsExactlyElementsOf(chain);
    }

    @Test
    void refusesToOverwriteUnlessForced() throws Exception {
        Path file = dir.resolve("server.key");
        Files.writeString(file, "old");

        assertThatThrownBy(() -> Pem.writePrivateKey(file, keys.getPrivate(), false))
                .isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageContaining("server.key");
        assertThat(file).hasContent("old");

        Pem.writePrivateKey(file, keys.getPrivate(), true);

        assertThat(Pem.readPrivateKey(file).getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void readsPkcs1AndPkcs8FormsOfTheSameOpensslKey() throws Exception {
        Path pkcs1 = dir.resolve("pkcs1.pem");
        Path pkcs8 = dir.resolve("pkcs8.pem");
        openssl("genrsa", "-traditional", "-out", pkcs1.toString(), "2048");
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", pkcs1.toString(), "-out", pkcs8.toString());

        PrivateKey fromPkcs1 = Pem.readPrivateKey(pkcs1);
        PrivateKey fromPkcs8 = Pem.readPrivateKey(pkcs8);

        assertThat(Files.readString(pkcs1)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(Files.readString(pkcs8)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(fromPkcs1).isInstanceOf(RSAPrivateCrtKey.class);
        assertThat(fromPkcs1.getEncoded()).isEqualTo(fromPkcs8.getEncoded());
    }

    @Test
    void readsPkcs8KeyFromGenpkey() throws Exception {
        Path file = dir.resolve("genpkey.pem");
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", file.toString());

        PrivateKey key = Pem.readPrivateKey(file);

        assertThat(key.getAlgorithm()).isEqualTo("RSA");
        assertThat(((RSAPrivateCrtKey) key).getModulus().bitLength()).isEqualTo(2048);
    }

    @Test
    void readsEcAndX25519Keys() throws Exception {
        Path sec1 = dir.resolve("ec.pem");
        Path x25519 = dir.resolve("x25519.pem");
        openssl("ecparam", "-genkey", "-name", "prime256v1", "-out", sec1.toString());
        openssl("genpkey", "-algorithm", "X25519", "-out", x25519.toString());

        assertThat(Pem.readPrivateKey(sec1).getAlgorithm()).isEqualTo("EC");
        assertThat(Pem.readPrivateKey(x25519).getAlgorithm()).isIn("XDH", "X25519");
    }

    @Test
    void refusesEncryptedPkcs8KeyWithTheFix() throws Exception {
        Path file = dir.resolve("encrypted.pem");
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-aes256",
                "-pass", "pass:secret", "-out", file.toString());

        assertThat(Files.readString(file)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertThatThrownBy(() -> Pem.readPrivateKey(file))
                .isInstanceOf(PkiException.class)
                .hasMessageContaining("private key file " + file + " is encrypted; encrypted private keys are not"
                        + " supported; decrypt it with openssl pkey -in " + file);
    }

    @Test
    void refusesEncryptedTraditionalKey() throws Exception {
        Path file = dir.resolve("encrypted-pkcs1.pem");
        openssl("genrsa", "-traditional", "-aes128", "-passout", "pass:secret", "-out", file.toString(), "1024");

        assertThatThrownBy(() -> Pem.readPrivateKey(file))
                .hasMessageContaining("encrypted private keys are not supported");
    }

    @Test
    void refusesGarbage() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.txt"), "this is not a key\n");
        Path badBase64 = Files.writeString(dir.resolve("bad.pem"),
                "-----BEGIN PRIVATE KEY-----\n!!!not base64!!!\n-----END PRIVATE KEY-----\n");

        assertThatThrownBy(() -> Pem.readPrivateKey(text))
                .hasMessageContaining("private key file " + text + " holds no private key; expected a PEM block");
        assertThatThrownBy(() -> Pem.readCertificates(text))
                .hasMessageContaining("certificate file " + text + " holds no certificate");
        assertThatThrownBy(() -> Pem.readPrivateKey(badBase64))
                .hasMessageContaining("private key file " + badBase64 + " is not valid PEM");
    }

    @Test
    void refusesEmptyFile() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.pem"));

        assertThatThrownBy(() -> Pem.readPrivateKey(empty))
                .hasMessageContaining("private key file " + empty + " is empty");
        assertThatThrownBy(() -> Pem.readCertificates(empty))
                .hasMessageContaining("certificate file " + empty + " is empty");
    }

    @Test
    void namesTheMissingFile() {
        Path missing = dir.resolve("missing.key");

        assertThatThrownBy(() -> Pem.readPrivateKey(missing))
                .isInstanceOf(PkiException.class)
                .hasMessageContaining("private key file " + missing + " does not exist");
    }

    @Test
    void tellsACertificateFromAKey() throws Exception {
        Path certificate = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        Pem.writeCertificates(certificate, chain, false);
        Pem.writePrivateKey(key, keys.getPrivate(), false);

        assertThatThrownBy(() -> Pem.readPrivateKey(certificate))
                .hasMessageContaining("holds a certificate, not a private key");
        assertThatThrownBy(() -> Pem.readCertificates(key))
                .hasMessageContaining("certificate file " + key + " holds no certificate");
    }

    private static void openssl(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(arguments));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("openssl is not on the PATH, so keys made by openssl cannot be tested: " + e);
            return;
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("openssl finished").isTrue();
        assertThat(process.exitValue()).as("openssl %s: %s", command, output).isZero();
    }
}

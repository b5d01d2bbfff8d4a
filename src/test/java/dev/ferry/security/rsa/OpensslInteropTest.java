package dev.ferry.security.rsa;

import dev.ferry.security.SeedRecording;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * RSA-PSS and RSA-OAEP against OpenSSL, the library under the seed's Python programs, with a key
 * made by openssl at test time. Skipped (not failed) where no openssl is on the PATH.
 */
class OpensslInteropTest {
    private static final List<String> PSS = List.of("-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_mgf1_md:sha256");
    private static final List<String> OAEP = List.of("-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256",
            "-pkeyopt", "rsa_mgf1_md:sha256");

    @TempDir
    static Path dir;
    private static PrivateKey privateKey;
    private static PublicKey publicKey;

    @BeforeAll
    static void opensslMakesAKey() throws Exception {
        assumeTrue(opensslAvailable(), "openssl is not on the PATH; install it to run the OpenSSL interop tests");
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "key.pem");
        openssl("pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem");
        KeyFactory rsa = KeyFactory.getInstance("RSA");
        privateKey = rsa.generatePrivate(new PKCS8EncodedKeySpec(SeedRecording.pemBody(read("key.pem"), "PRIVATE KEY")));
        publicKey = rsa.generatePublic(new X509EncodedKeySpec(SeedRecording.pemBody(read("pub.pem"), "PUBLIC KEY")));
    }

    @Test
    void opensslPssSignatureWithMaximumSaltVerifies() throws Exception {
        byte[] message = "nonce and text from an openssl signer".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("m1.bin"), message);

        openssl(concat(List.of("dgst", "-sha256", "-sign", "key.pem"), PSS,
                List.of("-sigopt", "rsa_pss_saltlen:max", "-out", "m1.sig", "m1.bin")));

        byte[] signature = Files.readAllBytes(dir.resolve("m1.sig"));
        assertThat(SeedSignatures.verify(publicKey, message, signature)).isTrue();
        assertThat(SeedSignatures.verify(publicKey, SeedRecording.flipBit(message, 9), signature)).isFalse();
    }

    @Test
    void ourSignatureVerifiesInOpensslWithExactly222BytesOfSalt() throws Exception {
        byte[] message = "nonce and text for an openssl verifier".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("m2.bin"), message);
        Files.write(dir.resolve("m2.sig"), SeedSignatures.sign(privateKey, message));

        Result exact = run(concat(List.of("dgst", "-sha256", "-verify", "pub.pem"), PSS,
                List.of("-sigopt", "rsa_pss_saltlen:222", "-signature", "m2.sig", "m2.bin")));
        Result shortSalt = run(concat(List.of("dgst", "-sha256", "-verify", "pub.pem"), PSS,
                List.of("-sigopt", "rsa_pss_saltlen:32", "-signature", "m2.sig", "m2.bin")));

        assertThat(exact.exitCode()).as(exact.output()).isZero();
        assertThat(exact.output()).contains("Verified OK");
        assertThat(shortSalt.exitCode()).as("openssl must refuse a 32-byte salt: " + shortSalt.output()).isNotZero();
    }

    @Test
    void opensslOaepCiphertextDecrypts() throws Exception {
        byte[] plain = new byte[190];
        for (int i = 0; i < plain.length; i++) {
            plain[i] = (byte) (i * 7);
        }
        Files.write(dir.resolve("p3.bin"), plain);

        openssl(concat(List.of("pkeyutl", "-encrypt", "-pubin", "-inkey", "pub.pem"), OAEP,
                List.of("-in", "p3.bin", "-out", "c3.bin")));

        assertThat(RsaOaep.decrypt(privateKey, Files.readAllBytes(dir.resolve("c3.bin")))).isEqualTo(plain);
    }

    @Test
    void ourOaepCiphertextDecryptsInOpensslAndNotWithSha1Mgf1() throws Exception {
        byte[] plain = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=".getBytes(StandardCharsets.US_ASCII);
        Files.write(dir.resolve("c4.bin"), RsaOaep.encrypt(publicKey, plain));

        openssl(concat(List.of("pkeyutl", "-decrypt", "-inkey", "key.pem"), OAEP, List.of("-in", "c4.bin", "-out", "p4.bin")));
        Result sha1Mgf = run(List.of("pkeyutl", "-decrypt", "-inkey", "key.pem", "-pkeyopt", "rsa_padding_mode:oaep",
                "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha1", "-in", "c4.bin", "-out", "p4-sha1.bin"));

        assertThat(Files.readAllBytes(dir.resolve("p4.bin"))).isEqualTo(plain);
        assertThat(sha1Mgf.exitCode()).as("openssl with MGF1-SHA-1 must fail: " + sha1Mgf.output()).isNotZero();
    }

    private record Result(int exitCode, String output) {
    }

    private static boolean opensslAvailable() {
        try {
            return run(List.of("version")).exitCode() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static void openssl(String... args) throws IOException {
        openssl(List.of(args));
    }

    private static void openssl(List<String> args) throws IOException {
        Result result = run(args);
        assertThat(result.exitCode()).as("openssl %s: %s", args, result.output()).isZero();
    }

    private static Result run(List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(args);
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("openssl " + args + " did not finish within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for openssl", e);
        }
        return new Result(process.exitValue(), output);
    }

    private static String read(String name) throws IOException {
        return Files.readString(dir.resolve(name), StandardCharsets.US_ASCII);
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> part : parts) {
            all.addAll(part);
        }
        return all;
    }
}

package dev.ferry.security.cp2;

import dev.ferry.security.SealException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The published vectors of https://github.com/fernet/spec (test resources fernet/, see its README). */
class FernetSpecTest {
    /**
     * invalid.json cases that are invalid only because of the token's age (TTL 60 s against the
     * vector's "now"). The seed programs call {@code Fernet.decrypt(token)} without a TTL and so
     * accept them, and a compatible server must too (PROTOCOL.md section 2): both are well-formed
     * tokens with a valid HMAC whose plaintext is empty. Every other invalid case is rejected.
     */
    private static final Set<String> INVALID_ONLY_BY_AGE = Set.of("far-future TS (unacceptable clock skew)", "expired TTL");

    @Test
    void generateVectorsGiveTheExactToken() throws Exception {
        List<Map<String, String>> vectors = SpecVectors.read("generate.json");

        for (Map<String, String> v : vectors) {
            Fernet fernet = new Fernet(FernetKey.parse(v.get("secret")));
            long now = OffsetDateTime.parse(v.get("now")).toEpochSecond();

            byte[] token = fernet.encrypt(utf8(v.get("src")), now, SpecVectors.bytes(v.get("iv")));

            assertThat(new String(token, StandardCharsets.US_ASCII)).isEqualTo(v.get("token"));
        }
        assertThat(vectors).isNotEmpty();
    }

    @Test
    void generateVectorsGiveTheExactTokenWhenStreamed() throws Exception {
        for (Map<String, String> v : SpecVectors.read("generate.json")) {
            Fernet fernet = new Fernet(FernetKey.parse(v.get("secret")));
            byte[] src = utf8(v.get("src"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();

            fernet.encrypt(new ByteArrayInputStream(src), src.length, out,
                    OffsetDateTime.parse(v.get("now")).toEpochSecond(), SpecVectors.bytes(v.get("iv")));

            assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo(v.get("token"));
        }
    }

    @Test
    void verifyVectorsDecryptIgnoringTheirTtl() throws Exception {
        for (Map<String, String> v : SpecVectors.read("verify.json")) {
            Fernet fernet = new Fernet(FernetKey.parse(v.get("secret")));
            byte[] token = utf8(v.get("token"));
            ByteArrayOutputStream streamed = new ByteArrayOutputStream();

            byte[] plain = fernet.decrypt(token);
            fernet.decrypt(new ByteArrayInputStream(token), token.length, streamed);

            assertThat(plain).isEqualTo(utf8(v.get("src")));
            assertThat(streamed.toByteArray()).isEqualTo(utf8(v.get("src")));
        }
    }

    @Test
    void invalidVectorsAreRejectedExceptThoseInvalidOnlyByAge() throws Exception {
        List<Map<String, String>> vectors = SpecVectors.read("invalid.json");

        for (Map<String, String> v : vectors) {
            Fernet fernet = new Fernet(FernetKey.parse(v.get("secret")));
            byte[] token = utf8(v.get("token"));
            String desc = v.get("desc");
            if (INVALID_ONLY_BY_AGE.contains(desc)) {
                assertThat(fernet.decrypt(token)).as(desc).isEmpty();
                assertThat(streamDecrypt(fernet, token)).as(desc).isEmpty();
            } else {
                assertThatThrownBy(() -> fernet.decrypt(token)).as(desc)
                        .isInstanceOf(SealException.class).hasMessageStartingWith("invalid Fernet token: ");
                assertThatThrownBy(() -> streamDecrypt(fernet, token)).as(desc + " (streamed)")
                        .isInstanceOf(SealException.class).hasMessageStartingWith("invalid Fernet token: ");
            }
        }
        assertThat(vectors).extracting(v -> v.get("desc")).containsAll(INVALID_ONLY_BY_AGE).hasSize(11);
    }

    private static byte[] streamDecrypt(Fernet fernet, byte[] token) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fernet.decrypt(new ByteArrayInputStream(token), token.length, out);
        return out.toByteArray();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

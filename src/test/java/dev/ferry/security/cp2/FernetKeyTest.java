package dev.ferry.security.cp2;

import dev.ferry.security.SealException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.SecureRandom;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FernetKeyTest {
    private static final String SPEC_SECRET = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";

    @Test
    void specSecretSplitsIntoSigningThenEncryptionKey() throws Exception {
        FernetKey key = FernetKey.parse(SPEC_SECRET);

        assertThat(HexFormat.of().formatHex(key.signingKey())).isEqualTo("730ff4c7af3d46923e8ed451ee813c87");
        assertThat(HexFormat.of().formatHex(key.encryptionKey())).isEqualTo("f790b0a226bc96a92de49b5e9c05e1ee");
        assertThat(key.encode()).isEqualTo(SPEC_SECRET);
    }

    @Test
    void generatedKeyIs44CharactersAndParsesBack() throws Exception {
        FernetKey key = FernetKey.generate(new SecureRandom());

        String text = key.encode();

        assertThat(text).hasSize(44).endsWith("=").matches("[A-Za-z0-9_-]{43}=");
        assertThat(FernetKey.parse(text)).isEqualTo(key);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4",
            "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4==",
            "cw/0x689RpI+jtRR7oE8h/eQsKImvJapLeSbXpwF4e4=",
            "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e5=",
            "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4 ",
            "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4=e4",
            ""})
    void malformedTextIsASealException(String text) {
        assertThatThrownBy(() -> FernetKey.parse(text)).isInstanceOf(SealException.class).hasMessageContaining("44");
    }

    @Test
    void toStringDoesNotShowTheKey() throws Exception {
        assertThat(FernetKey.parse(SPEC_SECRET).toString()).doesNotContain("cw_").isEqualTo("FernetKey[redacted]");
    }

    @Test
    void halvesMustBe16Bytes() {
        assertThatThrownBy(() -> new FernetKey(new byte[16], new byte[32])).isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.ferry.transfer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PeerTextTest {
    @Test
    void escapesLineBreaksEscapeSequencesAndBidiControls() {
        String shown = PeerText.show("a\r\nb\u001b[2J\u2028\u202ec\td");

        assertThat(shown).isEqualTo("a\\u000D\\u000Ab\\u001B[2J\\u2028\\u202Ec\\u0009d");
    }

    @Test
    void keepsPrintableTextIncludingNonAsciiLetters() {
        assertThat(PeerText.show("r\u00e9sum\u00e9 (1).pdf")).isEqualTo("r\u00e9sum\u00e9 (1).pdf");
    }

    @Test
    void cutsLongTextAfter77Characters() {
        String shown = PeerText.show("x".repeat(81));

        assertThat(shown).isEqualTo("x".repeat(77) + "...");
    }
}

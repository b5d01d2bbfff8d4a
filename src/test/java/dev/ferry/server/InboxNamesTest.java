package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class InboxNamesTest {

    static Stream<Arguments> badNames() {
        String longSegment = "x".repeat(300);
        String longPath = ("d".repeat(99) + "/").repeat(50) + "f";
        return Stream.of(
                Arguments.of("../x", "segment '..' is not allowed"),
                Arguments.of("/etc/passwd", "absolute paths are not allowed"),
                Arguments.of("a/../../b", "segment '..' is not allowed"),
                Arguments.of("a/./b", "segment '.' is not allowed"),
                Arguments.of("C:\\x", "drive letter 'C:'"),
                Arguments.of("C:x", "drive letter 'C:'"),
                Arguments.of("c:/x", "drive letter 'c:'"),
                Arguments.of("\\\\srv\\share\\x", "UNC paths"),
                Arguments.of("//srv/share/x", "UNC paths"),
                Arguments.of("a\\b", "backslash is not allowed"),
                Arguments.of("a\u0000b", "control character U+0000"),
                Arguments.of("a\nb", "control character U+000A"),
                Arguments.of("a\u001bb", "control character U+001B"),
                Arguments.of("a\u007fb", "control character U+007F"),
                Arguments.of("a\u0085b", "control character U+0085"),
                Arguments.of("a\u009bb", "control character U+009B"),
                Arguments.of("", "the name is empty"),
                Arguments.of(".", "segment '.' is not allowed"),
                Arguments.of("..", "segment '..' is not allowed"),
                Arguments.of("a//b", "empty segment"),
                Arguments.of("a/", "empty segment"),
                Arguments.of(longSegment, "is 300 UTF-8 bytes, over the limit of 255"),
                Arguments.of("é".repeat(128), "is 256 UTF-8 bytes, over the limit of 255"),
                Arguments.of(longPath, "the name is 5001 UTF-8 bytes, over the limit of 4096"),
                Arguments.of("CON", "reserved Windows device name"),
                Arguments.of("con.txt", "reserved Windows device name"),
                Arguments.of("com1.txt", "reserved Windows device name"),
                Arguments.of("Lpt9", "reserved Windows device name"),
                Arguments.of("dir/nul.tar.gz", "reserved Windows device name"),
                Arguments.of("aux .txt", "reserved Windows device name"),
                Arguments.of("COM\u00b9", "reserved Windows device name"),
                Arguments.of("a.", "ends with '.'"),
                Arguments.of("a/...", "ends with '.'"),
                Arguments.of("a ", "ends with a space"),
                Arguments.of("d /x", "ends with a space"),
                Arguments.of("a:b", "':' is not allowed"),
                Arguments.of("ab:c", "':' is not allowed (drive letter or NTFS alternate data stream)"),
                Arguments.of("dir/file.txt:stream", "':' is not allowed"),
                Arguments.of(".ferry/tmp/x.part", "is the server's work folder"),
                Arguments.of(".FERRY/x", "is the server's work folder"),
                Arguments.of(".ferry", "is the server's work folder"),
                Arguments.of("a\u2215b", "U+2215 DIVISION SLASH looks like a separator"),
                Arguments.of("a\u2044b", "U+2044 FRACTION SLASH looks like a separator"),
                Arguments.of("a\uFF0Fb", "U+FF0F FULLWIDTH SOLIDUS looks like a separator"),
                Arguments.of("a\uFF3Cb", "U+FF3C FULLWIDTH REVERSE SOLIDUS looks like a separator"),
                Arguments.of("a\u29F5b", "U+29F5 REVERSE SOLIDUS OPERATOR looks like a separator"),
                Arguments.of("a\uFE68b", "U+FE68 SMALL REVERSE SOLIDUS looks like a separator"),
                Arguments.of("\u2024\u2024/x", "U+2024 ONE DOT LEADER looks like a separator or a dot"),
                Arguments.of("a/\u2025", "U+2025 TWO DOT LEADER looks like a separator or a dot"),
                Arguments.of("\uFF0E\uFF0E/etc", "U+FF0E FULLWIDTH FULL STOP looks like a separator or a dot"),
                Arguments.of("a\uFF1Ab", "U+FF1A FULLWIDTH COLON looks like a separator"),
                Arguments.of("a\u202Eb", "invisible format character U+202E RIGHT-TO-LEFT OVERRIDE"),
                Arguments.of("txt.\u202Eexe", "invisible format character U+202E"),
                Arguments.of("a\u200Bb", "invisible format character U+200B ZERO WIDTH SPACE"),
                Arguments.of("a\u2066b", "invisible format character U+2066"),
                Arguments.of("\uFEFFa", "invisible format character U+FEFF"),
                Arguments.of("a\u2028b", "invisible format character U+2028 LINE SEPARATOR"),
                Arguments.of("a\uDB40\uDC01b", "invisible format character U+E0001 LANGUAGE TAG"),
                Arguments.of("a\uD800b", "not valid UTF-8 (unpaired surrogate U+D800"),
                Arguments.of("a\uDC00", "not valid UTF-8 (unpaired surrogate U+DC00"),
                Arguments.of("a\uFFFDb", "U+FFFD REPLACEMENT CHARACTER is not allowed"));
    }

    @ParameterizedTest(name = "[{index}] refused because {1}")
    @MethodSource("badNames")
    void refusesHostileNameAndSaysWhy(String name, String reason) {
        assertThatThrownBy(() -> InboxNames.checkRelativePath(name))
                .isInstanceOf(InboxNameException.class)
                .hasMessageStartingWith("name '")
                .hasMessageContaining("refused: ")
                .hasMessageContaining(reason);
    }

    @ParameterizedTest(name = "[{index}] message is one printable line for {1}")
    @MethodSource("badNames")
    void refusalMessageIsSafeToLog(String name, String reason) {
        assertThatThrownBy(() -> InboxNames.checkRelativePath(name))
                .isInstanceOf(InboxNameException.class)
                .satisfies(e -> assertThat(e.getMessage())
                        .hasSizeLessThan(400)
                        .doesNotContain("\n", "\u0000", "\u202E", "\u200B", "\u2028", "\u0085"));
    }

    @Test
    void messageQuotesTheWholeRefusedName() {
        assertThatThrownBy(() -> InboxNames.checkRelativePath("a/../b"))
                .hasMessage("name 'a/../b' refused: segment '..' is not allowed");
    }

    @Test
    void messageEscapesControlCharacters() {
        assertThatThrownBy(() -> InboxNames.checkRelativePath("evil\nINFO fake log line"))
                .hasMessageContaining("'evil\\u000AINFO fake log line'");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Ünïcødé/日本語 файл.txt",
        "report (1).pdf",
        "a b/c-d_e.tar.gz",
        "hello.txt",
        ".bashrc",
        "dir/.hidden/.ferry",
        ".ferryx/a",
        "x.ferry/a",
        "CONSOLE.txt",
        "com10",
        "lpt.txt",
        "a..b",
        " leading space",
        "emoji 😀 file",
        "fraction ½.txt",
        "wait….txt",
        "e\u0301 combining",
        "#%&{}$!'@+`=;,[]~^.txt",
        "ü",
    })
    void keepsGoodNamesExactly(String name) throws InboxNameException {
        List<String> segments = InboxNames.checkRelativePath(name);

        assertThat(String.join("/", segments)).isEqualTo(name);
        assertThat(segments).containsExactly(name.split("/"));
    }

    @Test
    void acceptsSegmentAndPathAtTheirLimits() throws InboxNameException {
        String segment = "é".repeat(127) + "x";
        String path = ("d".repeat(99) + "/").repeat(40) + "f".repeat(95);

        assertThat(InboxNames.checkRelativePath(segment)).containsExactly(segment);
        assertThat(InboxNames.checkRelativePath(path)).hasSize(41);
        assertThat(path.getBytes(StandardCharsets.UTF_8)).hasSize(InboxNames.MAX_PATH_BYTES - 1);
    }

    @Test
    void returnsSegmentsInOrder() throws InboxNameException {
        assertThat(InboxNames.checkRelativePath("a/b c/d.txt")).containsExactly("a", "b c", "d.txt");
    }

    @Test
    void lastSegmentKeepsTheTextAfterTheLastSlash() throws InboxNameException {
        assertThat(InboxNames.lastSegment("files/hello.txt")).isEqualTo("hello.txt");
        assertThat(InboxNames.lastSegment("hello.txt")).isEqualTo("hello.txt");
        assertThat(InboxNames.lastSegment("../../etc/passwd")).isEqualTo("passwd");
    }

    @Test
    void lastSegmentKeepsTheTextAfterTheLastBackslash() throws InboxNameException {
        assertThat(InboxNames.lastSegment("C:\\Users\\x\\a.txt")).isEqualTo("a.txt");
        assertThat(InboxNames.lastSegment("mixed/dir\\b.txt")).isEqualTo("b.txt");
    }

    @Test
    void lastSegmentRefusesAnEmptyLastSegment() {
        assertThatThrownBy(() -> InboxNames.lastSegment("dir/"))
                .isInstanceOf(InboxNameException.class)
                .hasMessage("name 'dir/' refused: no file name follows the last separator");
        assertThatThrownBy(() -> InboxNames.lastSegment(""))
                .isInstanceOf(InboxNameException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dir/..", "x/.", "C:", "C:a.txt", "x/CON", "x/a\u0000b", "x/.ferry", "x/a.", "a\u202Eb"})
    void lastSegmentChecksTheSegmentItKeeps(String typed) {
        assertThatThrownBy(() -> InboxNames.lastSegment(typed))
                .isInstanceOf(InboxNameException.class)
                .hasMessageContaining("refused: ");
    }

    @Test
    void decodeUtf8RejectsMalformedInput() {
        assertThatThrownBy(() -> InboxNames.decodeUtf8(new byte[] {(byte) 0xC3, (byte) 0x28}))
                .isInstanceOf(InboxNameException.class)
                .hasMessage("name refused: not valid UTF-8 (malformed byte 0xC3 at offset 0)");
    }

    @Test
    void decodeUtf8RejectsOverlongSlashAndEncodedSurrogate() {
        assertThatThrownBy(() -> InboxNames.decodeUtf8(new byte[] {'a', (byte) 0xC0, (byte) 0xAF, 'b'}))
                .isInstanceOf(InboxNameException.class)
                .hasMessageContaining("at offset 1");
        assertThatThrownBy(() -> InboxNames.decodeUtf8(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}))
                .isInstanceOf(InboxNameException.class);
        assertThatThrownBy(() -> InboxNames.decodeUtf8(new byte[] {'a', (byte) 0xE6, (byte) 0x97}))
                .isInstanceOf(InboxNameException.class)
                .hasMessageContaining("at offset 1");
    }

    @Test
    void decodeUtf8DecodesValidInput() throws InboxNameException {
        String name = "Ünïcødé/日本語 файл 😀.txt";

        assertThat(InboxNames.decodeUtf8(name.getBytes(StandardCharsets.UTF_8))).isEqualTo(name);
        assertThat(InboxNames.decodeUtf8(new byte[0])).isEmpty();
    }
}

package dev.ferry.e2e;

import java.util.List;
import java.util.stream.Stream;

/** Names the inbox must refuse (InboxNames), one of each rule. */
record BadName(String name) {
    static final List<BadName> TABLE = Stream.of("../escape.bin", "a/../../b", "/etc/passwd", "C:\\x", "c:/x",
            "\\\\srv\\share\\x", "//srv/share/x", "a\u0000b", "a\u001bb", "a\u007fb", "a\u0085b", "x".repeat(300),
            "CON", "com1.txt", "dir/nul.tar.gz", "a.", "a ", "a:b", "dir/file.txt:stream", ".ferry/tmp/x.part",
            ".FERRY/x", "a\u2215b", "\uFF0E\uFF0E/etc", "txt.\u202Eexe", "a\u200Bb").map(BadName::new).toList();

    @Override
    public String toString() {
        return name.codePoints().mapToObj(c -> c < 0x20 || c > 0x7e ? String.format("\\u%04X", c)
                : Character.toString(c)).reduce("", String::concat);
    }
}

package dev.ferry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExcludeRulesTest {

    private static final List<String> DEFAULTS = List.of(".*", "*.part", "*.tmp", "*~");

    private final ExcludeRules rules = new ExcludeRules(DEFAULTS);

    @Test
    void defaultPatternsExcludeHiddenPartialTemporaryAndBackupFiles() {
        assertThat(rules.excludes(".hidden")).isTrue();
        assertThat(rules.excludes("x.part")).isTrue();
        assertThat(rules.excludes("x.tmp")).isTrue();
        assertThat(rules.excludes("x~")).isTrue();
    }

    @Test
    void defaultPatternsKeepOrdinaryFilesAtAnyDepth() {
        assertThat(rules.excludes("a.txt")).isFalse();
        assertThat(rules.excludes("sub/ok.bin")).isFalse();
    }

    @Test
    void patternMatchingAnySegmentExcludesEverythingBelowIt() {
        assertThat(rules.excludes("dir/.x/y")).isTrue();
        assertThat(rules.excludes(".sent/2024/report.pdf")).isTrue();
        assertThat(rules.excludes("sub/x.part")).isTrue();
    }

    @Test
    void patternWithSlashMatchesTheWholeRelativePath() {
        ExcludeRules drafts = new ExcludeRules(List.of("drafts/**"));

        assertThat(drafts.excludes("drafts/a/b.txt")).isTrue();
        assertThat(drafts.excludes("final/drafts.txt")).isFalse();
    }

    @Test
    void noPatternsExcludeNothing() {
        ExcludeRules none = new ExcludeRules(List.of());

        assertThat(none.excludes(".hidden")).isFalse();
    }

    @Test
    void rejectsBlankPattern() {
        assertThatThrownBy(() -> new ExcludeRules(List.of("*.part", " ")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be blank");
    }
}

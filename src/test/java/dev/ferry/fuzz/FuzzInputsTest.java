package dev.ferry.fuzz;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FuzzInputsTest {
    @Test
    void committedRegressionInputsAreTheOnesBuiltByFuzzInputs() throws IOException {
        Map<String, byte[]> built = FuzzInputs.all();

        built.forEach((name, bytes) -> assertThat(Path.of(FuzzInputs.RESOURCES, name))
                .as("%s (rewrite it with FuzzInputs.main, docs/FUZZING.md)", name).hasBinaryContent(bytes));
    }

    @Test
    void twoFilesScriptSendsTwoWholeFilesWithTheirDigests() {
        SessionScript script = SessionScript.generate(FuzzInputs.twoFilesScript());

        assertThat(script.acceptableHello).isTrue();
        assertThat(script.files).extracting(file -> file.name).containsExactly("a.txt", "dir/b.bin");
        assertThat(script.files).extracting(file -> file.content.size()).containsExactly(100, 2500);
        assertThat(script.files).allSatisfy(file -> assertThat(file.committedDigest).isEqualTo(file.contentDigest()));
    }
}

package dev.ferry.transfer;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KillPointTest {

    /** Reaches the point named by its first argument as often as its second says, then exits 0. */
    public static final class Reacher {
        public static void main(String[] args) {
            KillPoint point = KillPoint.byName(args[0]);
            for (int i = 0; i < Integer.parseInt(args[1]); i++) {
                System.out.println("reaching " + (i + 1));
                point.reach();
            }
        }
    }

    private static Result run(String armed, String point, int times) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-D" + KillPoint.PROPERTY + "=" + armed, "-cp", System.getProperty("java.class.path"),
                Reacher.class.getName(), point, Integer.toString(times)).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private record Result(int status, String output) {
    }

    @Test
    void namesEachPointBySideAndStep() {
        List<String> ids = Arrays.stream(KillPoint.values()).map(KillPoint::id).toList();

        assertThat(ids).containsExactly("server.mid-stream", "server.before-force", "server.before-publish",
                "server.before-receipt", "server.before-reply", "client.before-delete");
        assertThat(KillPoint.byName("server.before-publish")).isEqualTo(KillPoint.SERVER_BEFORE_PUBLISH);
        assertThatThrownBy(() -> KillPoint.byName("server.before-lunch"))
                .hasMessageContaining("names no kill point").hasMessageContaining("server.before-reply");
    }

    @Test
    void anUnarmedPointDoesNothing() {
        for (KillPoint point : KillPoint.values()) {
            point.reach();
        }

        assertThat(System.getProperty(KillPoint.PROPERTY)).isNull();
    }

    @Test
    void anArmedPointHaltsTheJvmAtTheChosenHit() throws Exception {
        Result result = run("server.before-force#3", "server.before-force", 5);

        assertThat(result.status()).isEqualTo(KillPoint.EXIT_STATUS);
        assertThat(result.output()).contains("reaching 3", "kill point reached: server.before-force hit=3")
                .doesNotContain("reaching 4");
    }

    @Test
    void anotherArmedPointLeavesThisOneInert() throws Exception {
        Result result = run("client.before-delete", "server.before-force", 3);

        assertThat(result.status()).isZero();
        assertThat(result.output()).contains("reaching 3").doesNotContain("kill point reached");
    }

    @Test
    void anUnknownPointFailsAtTheFirstReach() throws Exception {
        Result result = run("server.before-lunch", "server.before-force", 1);

        assertThat(result.status()).isNotZero().isNotEqualTo(KillPoint.EXIT_STATUS);
        assertThat(result.output()).contains("server.before-lunch names no kill point");
    }
}

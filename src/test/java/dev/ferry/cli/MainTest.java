package dev.ferry.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {
    @TempDir
    Path dir;

    /** Runs the command line with stdout and stderr captured. */
    private record Run(int exitCode, String out, String err) {
    }

    private static synchronized Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void helpAndVersionWorkEverywhere() {
        for (String command : new String[] {"server", "client", "local", "send", "status", "check-config", "plugins"}) {
            Run help = run(command, "--help");
            assertThat(help.exitCode()).as(command).isZero();
            assertThat(help.out()).contains("--config");
            assertThat(run(command, "--version").out()).startsWith("ferry ");
        }
        assertThat(run("--help").out()).contains("server", "client", "local", "send", "status", "check-config");
    }

    @Test
    void badUsageExitsWithTwo() {
        assertThat(run("nonsense").exitCode()).isEqualTo(2);
        assertThat(run("server", "--no-such-option").exitCode()).isEqualTo(2);
        assertThat(run().exitCode()).isEqualTo(2);
    }

    @Test
    void checkConfigPrintsTheEffectiveSettings() throws Exception {
        Path conf = dir.resolve("f.conf");
        Files.writeString(conf, "ferry.server.port = 5000\n");

        Run run = run("check-config", "--config", conf.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("configuration is valid", "port=5000");
    }

    @Test
    void invalidConfigurationExitsWithTwoAndSaysWhy() throws Exception {
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, "ferry.server.on-conflict = merge\n");

        Run run = run("server", "--config", conf.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("bad.conf: 1", "ferry.server.on-conflict", "rename, overwrite, reject");
    }

    @Test
    void unknownProtocolListsTheAvailableOnes() throws Exception {
        Path conf = dir.resolve("p.conf");
        Files.writeString(conf, "ferry.security.protocol = nope\n");

        Run run = run("check-config", "--config", conf.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("unknown security protocol 'nope'", "available: plain, ap, cp1, cp2");
    }

    @Test
    void missingConfigFileExitsWithTwo() {
        Run run = run("client", "--config", dir.resolve("none.conf").toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("none.conf does not exist");
    }

    @Test
    void pluginsListsTheBuiltIns() {
        Run run = run("plugins");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("plain", "ap", "cp1", "cp2", "[built-in]");
    }
}

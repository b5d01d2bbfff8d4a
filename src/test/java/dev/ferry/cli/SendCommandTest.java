package dev.ferry.cli;

import dev.ferry.config.FerrySettings;
import dev.ferry.server.ServerAgent;
import dev.ferry.testing.Ports;
import dev.ferry.testing.Running;
import dev.ferry.testing.Servers;
import dev.ferry.testing.TestPki;
import dev.ferry.testing.TestSettings;
import dev.ferry.testing.Trees;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SendCommandTest {
    @TempDir
    static Path certs;

    private static TestPki pki;

    @TempDir
    Path dir;

    @RegisterExtension
    final Running running = new Running();

    @BeforeAll
    static void mintCertificates() {
        pki = TestPki.create(certs);
    }

    private ServerAgent server(String protocol, String... more) throws IOException {
        List<String> keys = new ArrayList<>(List.of(TestPki.join(pki.settings(protocol), new String[] {
            "ferry.server.host", "127.0.0.1", "ferry.server.port", "0",
            "ferry.server.inbox", dir.resolve("inbox").toString()})));
        keys.addAll(List.of(more));
        FerrySettings settings = TestSettings.load(keys.toArray(String[]::new));
        ServerAgent server = Servers.start(settings);
        running.add(server);
        return server;
    }

    /** The sender's configuration file: the protocol and its CA, and the given lines. */
    private Path config(String protocol, String... lines) throws IOException {
        String[] security = pki.settings(protocol);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < security.length; i += 2) {
            text.append(security[i]).append(" = \"").append(security[i + 1]).append("\"\n");
        }
        text.append("ferry.client.name = hand\n");
        for (String line : lines) {
            text.append(line).append('\n');
        }
        Path conf = dir.resolve("send.conf");
        Files.writeString(conf, text);
        return conf;
    }


    @Test
    void sendsTwoFilesWithTheConfiguredProtocolAndLeavesThemWhereTheyAre() throws Exception {
        ServerAgent server = server("cp2");
        String a = Trees.write(dir.resolve("here/a.txt"), 1000, 1);
        String b = Trees.write(dir.resolve("there/b.bin"), 200_000, 2);
        Path conf = config("cp2", "ferry.client.server-port = " + server.port());

        CommandLineRun send = CommandLineRun.of("send", "--config", conf.toString(),
                dir.resolve("here/a.txt").toString(), dir.resolve("there/b.bin").toString());

        assertThat(send.exitCode()).as(send.out() + send.err()).isZero();
        assertThat(send.out()).contains("a.txt: stored as a.txt, 1000 B in ", "b.bin: stored as b.bin, 195.3 KiB in ");
        assertThat(Trees.digests(dir.resolve("inbox"))).isEqualTo(Map.of("a.txt", a, "b.bin", b));
        assertThat(Trees.sha256(dir.resolve("here/a.txt"))).isEqualTo(a);
        assertThat(Trees.sha256(dir.resolve("there/b.bin"))).isEqualTo(b);
    }

    @Test
    void sendingAgainReportsWhatTheServerAlreadyHasAsDelivered() throws Exception {
        ServerAgent server = server("plain");
        Trees.write(dir.resolve("a.txt"), 10, 1);
        Path conf = config("plain");
        String to = "127.0.0.1:" + server.port();
        assertThat(CommandLineRun.of("send", "--config", conf.toString(), "--to", to,
                dir.resolve("a.txt").toString()).exitCode()).isZero();

        CommandLineRun again = CommandLineRun.of("send", "--config", conf.toString(), "--to", to,
                dir.resolve("a.txt").toString());

        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("a.txt: the server already had it (stored as a.txt)");
    }

    @Test
    void exitsWithOneWhenTheServerRefusesAFileAndStillSendsTheOthers() throws Exception {
        ServerAgent server = server("plain", "ferry.server.max-file-size", "1 KiB");
        Trees.write(dir.resolve("big.bin"), 5000, 1);
        String small = Trees.write(dir.resolve("small.txt"), 100, 2);

        CommandLineRun send = CommandLineRun.of("send", "--config", config("plain").toString(),
                "--to", "127.0.0.1:" + server.port(), dir.resolve("big.bin").toString(),
                dir.resolve("small.txt").toString());

        assertThat(send.exitCode()).isEqualTo(1);
        assertThat(send.out()).contains("big.bin: not delivered: the server refused it (TOO_LARGE)",
                "small.txt: stored as small.txt");
        assertThat(send.err()).contains("1 of 2 files not delivered to 127.0.0.1:" + server.port());
        assertThat(Trees.digests(dir.resolve("inbox"))).isEqualTo(Map.of("small.txt", small));
    }

    @Test
    void exitsWithOneWhenTheServerIsUnreachable() throws Exception {
        Trees.write(dir.resolve("a.txt"), 10, 1);
        int nobody = Ports.free();

        CommandLineRun send = CommandLineRun.of("send", "--config", config("plain").toString(),
                "--to", "127.0.0.1:" + nobody, dir.resolve("a.txt").toString());

        assertThat(send.exitCode()).isEqualTo(1);
        assertThat(send.err()).contains("cannot send to 127.0.0.1:" + nobody + " (protocol plain)",
                "ConnectException");
    }

    @Test
    void exitsWithTwoOnBadUsageBeforeSendingAnything() throws Exception {
        ServerAgent server = server("plain");
        Trees.write(dir.resolve("a.txt"), 10, 1);
        String conf = config("plain").toString();
        String to = "127.0.0.1:" + server.port();

        CommandLineRun missing = CommandLineRun.of("send", "--config", conf, "--to", to,
                dir.resolve("a.txt").toString(), dir.resolve("missing.txt").toString());
        CommandLineRun folder = CommandLineRun.of("send", "--config", conf, "--to", to, dir.toString());
        CommandLineRun badPort = CommandLineRun.of("send", "--config", conf, "--to", "127.0.0.1:99999",
                dir.resolve("a.txt").toString());
        CommandLineRun noFiles = CommandLineRun.of("send", "--config", conf);

        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("missing.txt cannot be read");
        assertThat(folder.exitCode()).isEqualTo(2);
        assertThat(folder.err()).contains("is not a regular file");
        assertThat(badPort.exitCode()).isEqualTo(2);
        assertThat(badPort.err()).contains("--to 127.0.0.1:99999: the port must be 1 to 65535");
        assertThat(noFiles.exitCode()).isEqualTo(2);
        assertThat(Trees.digests(dir.resolve("inbox"))).isEmpty();
    }
}

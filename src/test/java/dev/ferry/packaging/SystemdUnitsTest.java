package dev.ferry.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The systemd units in packaging/systemd: the keys the install story relies on are read from the
 * files themselves (no systemd needed), and packaging/check-units.sh runs systemd-analyze verify
 * on them where that tool is installed.
 */
class SystemdUnitsTest {
    private static final Path UNITS = Path.of("packaging", "systemd");

    /** The [Service] section of a unit: every key with its values in file order (keys may repeat). */
    private static Map<String, List<String>> service(String unit) throws IOException {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        String section = "";
        StringBuilder pending = new StringBuilder();
        for (String raw : Files.readAllLines(UNITS.resolve(unit), StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (pending.isEmpty() && (line.isEmpty() || line.startsWith("#") || line.startsWith(";"))) {
                continue;
            }
            // systemd joins a line ending in a backslash with the next one (systemd.syntax(7)).
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            line = pending.append(line).toString();
            pending.setLength(0);
            if (line.startsWith("[") && line.endsWith("]")) {
                section = line.substring(1, line.length() - 1);
            } else if (section.equals("Service") && line.contains("=")) {
                int eq = line.indexOf('=');
                keys.computeIfAbsent(line.substring(0, eq).strip(), k -> new ArrayList<>())
                        .add(line.substring(eq + 1).strip());
            }
        }
        return keys;
    }

    private static String last(Map<String, List<String>> keys, String key) {
        List<String> values = keys.get(key);
        assertThat(values).as("%s is set", key).isNotNull().isNotEmpty();
        return values.get(values.size() - 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ferry-server.service", "ferry-client.service"})
    void runsTheAgentAsTheFerryUserWithTheSystemConfig(String unit) throws IOException {
        String agent = unit.substring("ferry-".length(), unit.indexOf('.'));

        Map<String, List<String>> keys = service(unit);

        assertThat(last(keys, "User")).isEqualTo("ferry");
        assertThat(last(keys, "Group")).isEqualTo("ferry");
        assertThat(last(keys, "WorkingDirectory")).isEqualTo("/var/lib/ferry");
        assertThat(last(keys, "ExecStart"))
                .isEqualTo("/opt/ferry/bin/ferry " + agent + " --config /etc/ferry/ferry.conf");
        assertThat(last(keys, "Restart")).isEqualTo("on-failure");
        assertThat(last(keys, "RestartSec")).isEqualTo("5");
        assertThat(last(keys, "RestartPreventExitStatus")).isEqualTo("2");
        assertThat(last(keys, "TimeoutStopSec")).isEqualTo("20");
        assertThat(last(keys, "Environment")).isEqualTo("JAVA_OPTS=-Xmx256m");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ferry-server.service", "ferry-client.service"})
    void confinesTheAgentToItsStateFolder(String unit) throws IOException {
        Map<String, List<String>> keys = service(unit);

        assertThat(last(keys, "NoNewPrivileges")).isEqualTo("true");
        assertThat(last(keys, "ProtectSystem")).isEqualTo("strict");
        assertThat(last(keys, "ReadWritePaths")).isEqualTo("/var/lib/ferry");
        assertThat(last(keys, "PrivateTmp")).isEqualTo("true");
        assertThat(last(keys, "ProtectHome")).isEqualTo("true");
        assertThat(last(keys, "PrivateDevices")).isEqualTo("true");
        assertThat(last(keys, "ProtectKernelTunables")).isEqualTo("true");
        assertThat(last(keys, "ProtectKernelModules")).isEqualTo("true");
        assertThat(last(keys, "ProtectControlGroups")).isEqualTo("true");
        assertThat(last(keys, "RestrictAddressFamilies")).isEqualTo("AF_INET AF_INET6 AF_UNIX");
        assertThat(last(keys, "LockPersonality")).isEqualTo("true");
        assertThat(last(keys, "RestrictRealtime")).isEqualTo("true");
        assertThat(last(keys, "SystemCallArchitectures")).isEqualTo("native");
        assertThat(last(keys, "UMask")).isEqualTo("0077");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ferry-server.service", "ferry-client.service"})
    void leavesOutWhatTheJvmOrTheAgentCannotHonour(String unit) throws IOException {
        Map<String, List<String>> keys = service(unit);

        // The JIT needs memory that is written and then executed.
        assertThat(keys).doesNotContainKey("MemoryDenyWriteExecute");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ferry-server.service", "ferry-client.service"})
    void reloadSendsSighupToTheAgent(String unit) throws IOException {
        Map<String, List<String>> keys = service(unit);

        // The agent reloads its configuration on SIGHUP (systemctl reload); the JVM itself is $MAINPID
        // because bin/ferry execs it.
        assertThat(last(keys, "ExecReload")).isEqualTo("/bin/kill -HUP $MAINPID");
    }

    @Test
    void systemdAnalyzeVerifiesBothUnits(@TempDir Path tmp) throws Exception {
        assumeTrue(onPath("systemd-analyze"), "systemd-analyze is not installed (apt-get install systemd)");
        Path log = tmp.resolve("check-units.log");

        Process process = new ProcessBuilder("sh", "packaging/check-units.sh")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = process.waitFor(2, TimeUnit.MINUTES);
        if (!finished) {
            process.destroyForcibly();
        }

        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(finished).as("check-units.sh finished within 2 minutes: %s", output).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("ferry-server.service ok").contains("ferry-client.service ok");
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        return Stream.of(path.split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, command))
                .anyMatch(Files::isExecutable);
    }
}
